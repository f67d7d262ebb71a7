package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.Engine;
import io.wruntime.engine.component.LoadedComponent;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.io.IOException;
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
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Components made by wasm-tools from this build's C guests (with jco's preview 1 adapter, {@code
 * src/test/components/build.sh}) served by a real engine on loopback, and components the loader
 * must refuse with a message.
 */
class ComponentRuntimeIT {
  private static final Path DIR = Path.of("target", "test-components");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @RegisterExtension final LogCapture log = new LogCapture();

  private static Engine engine;

  @BeforeAll
  static void startEngine() throws Exception {
    Assumptions.assumeTrue(
        Files.exists(DIR.resolve("echo.component.wasm")),
        "test components not built (src/test/components/build.sh needs wasm-tools and npm)");
    String toml =
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
        name = "misbehaving"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        [[module]]
        name = "init-state"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        """
            .formatted(
                DIR.resolve("echo.component.wasm").toAbsolutePath(),
                DIR.resolve("caller.component.wasm").toAbsolutePath(),
                DIR.resolve("misbehaving.component.wasm").toAbsolutePath(),
                DIR.resolve("init_state.component.wasm").toAbsolutePath());
    engine =
        Engine.startWith(EngineConfig.parse("components.toml", toml), WasiHttpModuleLoader::new);
  }

  @AfterAll
  static void stopEngine() {
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
  }

  private static HttpRequest.Builder request(String module, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
        .header("x-wr-namespace", "example")
        .header("x-wr-module", module)
        .header("x-wr-version", "1.0.0");
  }

  @Test
  void echoAnswersTheSameBytes() throws Exception {
    byte[] body = new byte[100_000];
    new Random(1).nextBytes(body);

    HttpResponse<byte[]> response =
        HTTP.send(
            request("echo", "/echo.EchoService/Echo")
                .header("content-type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/octet-stream");
    assertThat(response.body()).isEqualTo(body);
  }

  @Test
  void echoStreamsA64MiBBodyByteExact() throws Exception {
    long size = 64L << 20;
    byte[] block = new byte[1 << 16];
    new Random(64).nextBytes(block);
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    try (Socket socket = new Socket("127.0.0.1", engine.port())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /echo.EchoService/Echo HTTP/1.1\r\nhost: localhost\r\nx-wr-namespace: example\r\n"
                  + "x-wr-module: echo\r\nx-wr-version: 1.0.0\r\ntransfer-encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      // Full duplex: the echo answers while the upload is still going, so the client writes on a
      // thread of its own and reads here.
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      for (long left = size; left > 0; left -= block.length) {
                        out.write((Integer.toHexString(block.length) + "\r\n").getBytes());
                        out.write(block);
                        out.write("\r\n".getBytes());
                        sent.update(block);
                      }
                      out.write("0\r\n\r\n".getBytes());
                      out.flush();
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
      InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
      String status = line(in);
      assertThat(status).startsWith("HTTP/1.1 200");
      boolean chunked = false;
      for (String h; !(h = line(in)).isEmpty(); ) {
        chunked |= h.equalsIgnoreCase("transfer-encoding: chunked");
      }
      assertThat(chunked).isTrue();
      MessageDigest received = MessageDigest.getInstance("SHA-256");
      long count = 0;
      byte[] buffer = new byte[1 << 16];
      for (int chunk; (chunk = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; ) {
        for (int left = chunk; left > 0; ) {
          int n = in.read(buffer, 0, Math.min(buffer.length, left));
          assertThat(n).as("connection closed inside a chunk").isPositive();
          received.update(buffer, 0, n);
          left -= n;
        }
        count += chunk;
        line(in);
      }
      writer.join();
      assertThat(count).isEqualTo(size);
      assertThat(HexFormat.of().formatHex(received.digest()))
          .isEqualTo(HexFormat.of().formatHex(sent.digest()));
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new IOException("connection closed in a line");
      }
      b.append((char) c);
    }
    return b.toString().strip();
  }

  @Test
  void callerReachesEchoThroughAnOutboundCall() throws Exception {
    HttpResponse<String> response =
        HTTP.send(request("caller", "/run").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello\n");
  }

  @Test
  void aTrapAnswers500AndIsLogged() throws Exception {
    HttpResponse<String> response =
        HTTP.send(request("misbehaving", "/trap").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).containsIgnoringCase("trap");
    HttpResponse<String> next =
        HTTP.send(request("misbehaving", "/fine").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).isEqualTo("ok /fine\n");
  }

  @Test
  void eachRequestSeesTheStateAfterInitializationAndNothingOfEarlierRequests() throws Exception {
    // Each request changes the counter, the constructor's run count and a heap string.
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> response =
          HTTP.send(request("init-state", "/").build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("init_runs=1 counter=41 heap=set by init\n");
    }
  }

  @Test
  void requestsStartFromASnapshotOfEveryCoreInstance() throws Exception {
    try (WasiHttpModuleLoader loader = new WasiHttpModuleLoader(TestGuests.NO_OUTBOUND)) {
      LoadedComponent component =
          (LoadedComponent) loader.load(definition(DIR.resolve("init_state.component.wasm")));

      assertThat(component.snapshot()).isNotNull();
      assertThat(component.snapshot().cores()).hasSize(component.coreInstanceCount());
      assertThat(component.coreInstanceCount()).isGreaterThan(1);
    }
  }

  @Test
  void aComponentInstanceIsResetAndReusedAndEachRequestSeesTheInitialState() throws Exception {
    try (WasiHttpModuleLoader loader = new WasiHttpModuleLoader(TestGuests.NO_OUTBOUND)) {
      LoadedComponent component =
          (LoadedComponent) loader.load(definition(DIR.resolve("init_state.component.wasm")));
      assertThat(component.snapshot().reusable()).isTrue();

      for (int i = 0; i < 4; i++) {
        PipeResponse response = new PipeResponse(4096);
        component.handle(
            new io.wruntime.engine.http.IncomingRequest(
                "GET",
                "http",
                "localhost",
                "/",
                java.util.List.of(),
                io.wruntime.engine.http.BodySource.empty()),
            response);
        assertThat(response.status).isEqualTo(200);
        assertThat(readAll(response.body)).isEqualTo("init_runs=1 counter=41 heap=set by init\n");
        assertThat(component.idleInstances())
            .as("one component instance, reset and reused")
            .isOne();
      }
    }
  }

  private static String readAll(io.wruntime.engine.http.Pipe pipe) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    while (true) {
      pipe.awaitReadable();
      byte[] data = pipe.read(1000);
      if (data == null) {
        return out.toString(StandardCharsets.UTF_8);
      }
      out.write(data);
    }
  }

  private static ModuleDefinition definition(Path wasm) {
    return new ModuleDefinition(
        "test",
        "component",
        "1.0.0",
        wasm,
        java.util.Map.of(),
        16L << 20,
        ExecutionMode.INTERPRETED);
  }

  private static void assertRefused(Path wasm, String... fragments) throws IOException {
    try (WasiHttpModuleLoader loader = new WasiHttpModuleLoader(TestGuests.NO_OUTBOUND)) {
      assertThatThrownBy(() -> loader.load(definition(wasm)))
          .isInstanceOf(ModuleLoadException.class)
          .hasMessageContainingAll(fragments);
    }
  }

  @Test
  void aMissingInterfaceIsNamed() throws Exception {
    assertRefused(
        DIR.resolve("missing_interface.component.wasm"),
        "module test.component",
        "imports example:missing/nowhere@0.1.0#hello, which the engine does not provide",
        "interface example:missing/nowhere@0.1.0 is not provided");
  }

  @Test
  void unsupportedFeaturesAreNamed() throws Exception {
    assertRefused(
        DIR.resolve("utf16_lowering.component.wasm"),
        "component uses string-encoding=utf16, not supported");
    assertRefused(
        DIR.resolve("own_resource.component.wasm"),
        "component uses canon resource.new of a resource type it defines",
        "not supported");
  }

  @Test
  void truncatedAndCorruptedComponentsAreRefused(@TempDir Path dir) throws Exception {
    byte[] echo = Files.readAllBytes(DIR.resolve("echo.component.wasm"));
    int[] cuts = {9, 12, 40, echo.length / 3, echo.length / 2, echo.length - 1};
    for (int cut : cuts) {
      Path truncated = dir.resolve("cut-" + cut + ".wasm");
      Files.write(truncated, Arrays.copyOf(echo, cut));
      assertRefused(truncated, "module test.component", truncated.toString());
    }
    Path section = dir.resolve("bad-section.wasm");
    byte[] badSection = echo.clone();
    badSection[8] = 0x2a;
    Files.write(section, badSection);
    assertRefused(
        section, "is not a valid WebAssembly component: at byte 8: unknown section id 42");

    Path huge = dir.resolve("huge-size.wasm");
    byte[] hugeSize = Arrays.copyOf(echo, 16);
    // the first section's size: 0xffffffff as LEB128
    hugeSize[9] = (byte) 0xff;
    hugeSize[10] = (byte) 0xff;
    hugeSize[11] = (byte) 0xff;
    hugeSize[12] = (byte) 0xff;
    hugeSize[13] = 0x0f;
    Files.write(huge, hugeSize);
    assertRefused(huge, "is not a valid WebAssembly component: at byte 9: section size");
  }
}
