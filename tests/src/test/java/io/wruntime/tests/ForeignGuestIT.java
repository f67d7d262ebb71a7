package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest that was not written against this project's SDK: {@code tests/guests/rust-http}, a Rust
 * {@code cdylib} for wasm32-wasi that declares its wasi:http imports itself (as wit-bindgen lowers
 * them, against interface version 0.2.3) and uses Rust's std through {@code
 * wasi_snapshot_preview1}. It answers {@code POST /inspect} with a JSON report of what it saw.
 */
class ForeignGuestIT {
  private static final int BODY_SIZE = 1024 * 1024;

  @TempDir static Path dir;
  private static EngineProcess engine;
  private static int port;
  private static final HttpClient HTTP = LocalCluster.HTTP;

  @BeforeAll
  static void startEngine() throws Exception {
    Path wasm = EngineProcess.root().resolve("tests/guests/rust-http/target/rust_http.wasm");
    assertThat(wasm).as("built by tests/guests/rust-http/build.sh").isRegularFile();
    Path config =
        EngineProcess.writeConfig(
            dir,
            """
            listen_address = "127.0.0.1:0"

            [[module]]
            name = "inspect"
            namespace = "foreign"
            version = "1.0.0"
            wasm_path = "%s"
            env = { GREETING = "hi" }
            """
                .formatted(wasm.toAbsolutePath()));
    engine = EngineProcess.start(config, "-Xmx256m");
    port = engine.awaitPort();
  }

  @AfterAll
  static void stopEngine() throws Exception {
    if (engine != null) {
      engine.close();
    }
  }

  private static HttpRequest.Builder toInspect(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(120))
        .header("x-wr-namespace", "foreign")
        .header("x-wr-module", "inspect")
        .header("x-wr-version", "1.0.0");
  }

  @Test
  void aRustGuestBuiltWithoutTheSdkSeesTheWholeRequestAndAnswers() throws Exception {
    byte[] body = new byte[BODY_SIZE];
    new Random(7).nextBytes(body);
    // Makes the JSON answer longer than one blocking-write-and-flush (4096 bytes).
    String padding = "p".repeat(5000);

    HttpResponse<String> response =
        HTTP.send(
            toInspect("/inspect")
                .header("x-test", "42")
                .header("x-padding", padding)
                .header("content-type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body() + "\n" + engine.output()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-guest")).hasValue("rust");
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");

    JsonNode report = new ObjectMapper().readTree(response.body());
    assertThat(report.path("method").asText()).isEqualTo("POST");
    assertThat(report.path("path").asText()).isEqualTo("/inspect");
    assertThat(report.path("scheme").asText()).isEqualTo("http");
    assertThat(report.path("authority").asText()).isEqualTo("127.0.0.1:" + port);
    assertThat(report.path("body_len").asLong()).isEqualTo(BODY_SIZE);
    assertThat(report.path("body_sha").asText()).isEqualTo(fnv1a64Hex(body));
    assertThat(report.path("random_len").asInt()).isEqualTo(16);
    assertThat(report.path("clock_advanced").isBoolean()).isTrue();
    assertThat(report.path("clock_advanced").asBoolean()).isTrue();
    assertThat(report.path("greeting").asText()).isEqualTo("hi");
    List<List<String>> headers = new ArrayList<>();
    for (JsonNode pair : report.path("headers")) {
      headers.add(List.of(pair.path(0).asText(), pair.path(1).asText()));
    }
    assertThat(headers)
        .contains(
            List.of("x-test", "42"),
            List.of("x-padding", padding),
            List.of("content-type", "application/octet-stream"));
    // The guest's println! reaches the engine's log through wasi_snapshot_preview1.fd_write.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(engine.output()).contains("inspect: POST /inspect"));
  }

  @Test
  void anotherPathIsAnsweredByTheGuestWith404() throws Exception {
    HttpResponse<String> response =
        HTTP.send(toInspect("/elsewhere").GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("x-guest")).hasValue("rust");
    assertThat(response.body()).contains("GET /elsewhere");
  }

  /** 64-bit FNV-1a, as lower-case hex of 16 digits: what the guest computes over the body. */
  private static String fnv1a64Hex(byte[] data) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : data) {
      hash ^= b & 0xFF;
      hash *= 0x100000001b3L;
    }
    return String.format("%016x", hash);
  }
}
