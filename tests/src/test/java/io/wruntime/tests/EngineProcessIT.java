package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine as a user runs it: {@code bin/wr-engine --config F} in a child JVM with a small heap,
 * serving the example modules built from source by this build.
 */
class EngineProcessIT {
  private static final long BIG_BODY = 64L * 1024 * 1024;

  @TempDir static Path dir;
  private static EngineProcess engine;
  private static int port;
  private static final HttpClient HTTP = LocalCluster.HTTP;

  @BeforeAll
  static void startEngine() throws Exception {
    Path bad = dir.resolve("bad.wasm");
    Files.writeString(bad, "this is not wasm");
    Path root = EngineProcess.root();
    Path config =
        EngineProcess.writeConfig(
            dir,
            """
            listen_address = "127.0.0.1:0"

            [[module]]
            name = "echo"
            namespace = "example"
            version = "1.0.0"
            wasm_path = "%s"

            [[module]]
            name = "caller"
            namespace = "example"
            version = "1.0.0"
            wasm_path = "%s"

            [[module]]
            name = "broken"
            namespace = "example"
            version = "1.0.0"
            wasm_path = "%s"
            """
                .formatted(
                    root.resolve("examples/echo/echo.wasm"),
                    root.resolve("examples/caller/caller.wasm"),
                    bad));
    engine = EngineProcess.start(config, "-Xmx128m");
    port = engine.awaitPort();
  }

  @AfterAll
  static void stopEngine() throws Exception {
    if (engine != null) {
      engine.close();
    }
  }

  private static HttpRequest.Builder toModule(String module, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(120))
        .header("x-wr-namespace", "example")
        .header("x-wr-module", module)
        .header("x-wr-version", "1.0.0");
  }

  @Test
  void echoReturnsTheRequestBody() throws Exception {
    byte[] body = "\n\u0005hello".getBytes(StandardCharsets.UTF_8);
    HttpResponse<byte[]> response =
        HTTP.send(
            toModule("echo", "/echo.EchoService/Echo")
                .header("content-type", "application/protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
  }

  @Test
  void callerReachesEchoThroughItsOutgoingHandler() throws Exception {
    HttpResponse<byte[]> response =
        HTTP.send(
            toModule("caller", "/run").header("accept", "application/protobuf").GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode())
        .as(new String(response.body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    // EchoResponse{message: "hello"}: field 1, length-delimited.
    assertThat(response.body()).isEqualTo("\n\u0005hello".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void callerAnswersTheEchoedMessageAsTextByDefault() throws Exception {
    HttpResponse<String> response =
        HTTP.send(toModule("caller", "/run").GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello\n");
  }

  /**
   * Writes the request body and reads the echoed response at the same time, over a raw socket: the
   * echo module answers while the body is still arriving, so a client that first sends everything
   * and only then reads would deadlock against an engine that (rightly) buffers nothing.
   */
  @Test
  void a64MiBBodyStreamsThroughAnEngineWith128MiBHeap() throws Exception {
    MessageDigest sent = RawHttp.sha256();
    MessageDigest received = RawHttp.sha256();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(120_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /echo.EchoService/Echo HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                  + "x-wr-namespace: example\r\nx-wr-module: echo\r\nx-wr-version: 1.0.0\r\n"
                  + "content-type: application/octet-stream\r\ncontent-length: "
                  + BIG_BODY
                  + "\r\nconnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      CompletableFuture<Void> writer =
          RawHttp.writeAsync(out, sent, BIG_BODY, new AtomicLong(), false);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      RawHttp.Head head = RawHttp.readHead(in);
      assertThat(head.status()).isEqualTo(200);
      long total = RawHttp.readBody(in, head, Long.MAX_VALUE, received::update);
      writer.get(60, TimeUnit.SECONDS);
      assertThat(total).isEqualTo(BIG_BODY);
      assertThat(HexFormat.of().formatHex(received.digest()))
          .isEqualTo(HexFormat.of().formatHex(sent.digest()));
    }
  }

  @Test
  void aMalformedModuleIsReportedAndTheOthersKeepServing() throws Exception {
    HttpResponse<String> broken =
        HTTP.send(toModule("broken", "/").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(broken.statusCode()).isEqualTo(503);
    assertThat(broken.body()).contains("module_unavailable").contains("example.broken@1.0.0");

    HttpResponse<String> ready =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ready.body()).contains("broken");

    HttpResponse<String> echo =
        HTTP.send(
            toModule("echo", "/echo.EchoService/Echo")
                .POST(HttpRequest.BodyPublishers.ofString("still here"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(echo.body()).isEqualTo("still here");
  }

  @Test
  void healthzAnswersWithoutDispatchHeaders() throws Exception {
    HttpResponse<String> health =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
  }

  @Test
  void aConfigErrorStopsStartupWithExitCode2AndNamesTheKey(@TempDir Path other) throws Exception {
    Path config =
        EngineProcess.writeConfig(
            other,
            """
            listen_address = "127.0.0.1:0"
            [[module]]
            name = "echo"
            namespace = "example"
            version = "one"
            wasm_path = "examples/echo/echo.wasm"
            """);
    try (EngineProcess bad = EngineProcess.start(config, "-Xmx64m")) {
      assertThat(bad.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(bad.output()).contains("module[0].version").contains("one").contains("expected");
    }
  }
}
