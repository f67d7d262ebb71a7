package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.tests.LocalCluster.Engine;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1 GiB through a proxy and an engine running echo, each with a 256 MiB heap: the body streams
 * through both in both directions at once, so the echo's first bytes come back while most of the
 * request has yet to be sent.
 */
class StreamingIT {
  private static final long BODY_SIZE = 1024L * 1024 * 1024;
  private static final Module ECHO = Module.echo("1.0.0").with("request_timeout_secs = 600");

  private static final LocalCluster cluster = new LocalCluster("StreamingIT");
  private static Proxy proxy;
  private static Engine engine;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster.startManager();
    proxy = cluster.startProxy("node-a");
    engine = cluster.startEngine("engine-a", proxy, ECHO);
    cluster.awaitHealthy(List.of(engine), List.of(ECHO), proxy);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  /**
   * Writes the request body on one thread and reads the response on this one, over a raw socket
   * ({@link RawHttp}).
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void oneGibStreamsThroughProxyAndEngineWith256MibHeaps() throws Exception {
    MessageDigest sent = RawHttp.sha256();
    MessageDigest received = RawHttp.sha256();
    AtomicLong written = new AtomicLong();
    long writtenAtFirstResponseByte;
    long total;
    try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
      socket.setSoTimeout(120_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /echo.EchoService/Echo HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                  + "x-wr-destination: http://example.echo/echo.EchoService/Echo\r\n"
                  + "content-type: application/octet-stream\r\ncontent-length: "
                  + BODY_SIZE
                  + "\r\nconnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      CompletableFuture<Void> writer = RawHttp.writeAsync(out, sent, BODY_SIZE, written, false);

      InputStream in = new BufferedInputStream(socket.getInputStream(), RawHttp.CHUNK);
      in.mark(1);
      int first = in.read();
      writtenAtFirstResponseByte = written.get();
      assertThat(first).as("the first byte of the response").isEqualTo('H');
      in.reset();
      RawHttp.Head head = RawHttp.readHead(in);
      assertThat(head.status()).isEqualTo(200);
      total = RawHttp.readBody(in, head, Long.MAX_VALUE, received::update);
      writer.get(60, TimeUnit.SECONDS);
    }

    assertThat(total).isEqualTo(BODY_SIZE);
    assertThat(HexFormat.of().formatHex(received.digest()))
        .isEqualTo(HexFormat.of().formatHex(sent.digest()));
    assertThat(writtenAtFirstResponseByte)
        .as("request bytes sent when the first response byte arrived")
        .isLessThan(BODY_SIZE);
    assertThat(engine.process().output()).doesNotContain("OutOfMemoryError");
    assertThat(proxy.process().output()).doesNotContain("OutOfMemoryError");
  }
}
