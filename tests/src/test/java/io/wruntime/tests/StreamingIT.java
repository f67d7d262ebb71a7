package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.tests.LocalCluster.Engine;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
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
  private static final int CHUNK = 64 * 1024;
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
   * Writes the request body on one thread and reads the response on this one, over a raw socket:
   * the JDK's HttpClient sends a whole HTTP/1.1 body before it reads, which would deadlock against
   * a pipeline that (rightly) buffers nothing.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void oneGibStreamsThroughProxyAndEngineWith256MibHeaps() throws Exception {
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    MessageDigest received = MessageDigest.getInstance("SHA-256");
    AtomicLong written = new AtomicLong();
    long writtenAtFirstResponseByte;
    long total = 0;
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
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  writeBody(out, sent, written);
                } catch (IOException e) {
                  throw new IllegalStateException("writing the body failed", e);
                }
              },
              runnable -> Thread.ofPlatform().name("body-writer").start(runnable));

      InputStream in = new BufferedInputStream(socket.getInputStream(), CHUNK);
      int first = in.read();
      writtenAtFirstResponseByte = written.get();
      assertThat(first).as("the first byte of the response").isEqualTo('H');
      String statusLine = "H" + readLine(in);
      assertThat(statusLine).startsWith("HTTP/1.1 200");
      boolean chunked = false;
      long length = -1;
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        } else if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring("content-length:".length()).trim());
        }
      }
      byte[] buf = new byte[CHUNK];
      if (chunked) {
        for (long size = chunkSize(in); size > 0; size = chunkSize(in)) {
          for (long left = size; left > 0; ) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            assertThat(n).as("bytes read after %d of the body", total).isPositive();
            received.update(buf, 0, n);
            left -= n;
          }
          total += size;
          readLine(in); // the CRLF after the chunk
        }
      } else {
        assertThat(length).isEqualTo(BODY_SIZE);
        for (int n; total < length && (n = in.read(buf)) > 0; ) {
          received.update(buf, 0, n);
          total += n;
        }
      }
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

  /**
   * 1 GiB of pseudo-random bytes, cheap to make: a random 1 MiB block read at a moving offset, each
   * 64 KiB chunk stamped with its index so that a reordered or repeated chunk changes the digest.
   */
  private static void writeBody(OutputStream out, MessageDigest digest, AtomicLong written)
      throws IOException {
    byte[] block = new byte[1024 * 1024];
    new Random(42).nextBytes(block);
    byte[] chunk = new byte[CHUNK];
    for (long index = 0; index * CHUNK < BODY_SIZE; index++) {
      int offset = (int) ((index * CHUNK) % block.length);
      System.arraycopy(block, offset, chunk, 0, CHUNK);
      ByteBuffer.wrap(chunk).putLong(index);
      digest.update(chunk);
      out.write(chunk);
      written.addAndGet(CHUNK);
    }
    out.flush();
  }

  private static long chunkSize(InputStream in) throws IOException {
    return Long.parseLong(readLine(in).split(";")[0].trim(), 16);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
