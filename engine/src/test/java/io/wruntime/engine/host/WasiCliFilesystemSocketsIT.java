package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * wasi:cli environment, exit and terminal-*, wasi:random insecure and insecure-seed,
 * wasi:filesystem and wasi:sockets as a module sees them: the {@code wasi_more} test guest (C,
 * built from {@code src/test/guests/wasi_more}, importing them at 0.2.12 and some at 0.2.0) on an
 * engine on loopback, driven over HTTP/1.1; the answers are the guest's report of what each call
 * gave it.
 */
class WasiCliFilesystemSocketsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODULE = "test.wasi-more@1.0.0";

  private static Engine engine;

  @RegisterExtension final LogCapture log = new LogCapture();
  private static final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    Path wasm = TestGuests.path("wasi_more").toAbsolutePath();
    assertThat(wasm).as("test guests (make -C src/test/guests)").isRegularFile();
    String toml =
        """
        listen_address = "127.0.0.1:0"

        [[module]]
        name = "wasi-more"
        namespace = "test"
        version = "1.0.0"
        wasm_path = "%s"
        max_concurrent_instances = 1
        env = { GREETING = "hello", MODE = "test" }
        """
            .formatted(wasm);
    engine = Engine.startWith(EngineConfig.parse("wasi.toml", toml), WasiHttpModuleLoader::new);
  }

  @AfterAll
  static void stop() {
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
  }

  @Test
  void theEnvironmentIsTheModulesEnvWithoutArgumentsCwdOrTerminals() throws Exception {
    HttpResponse<String> r = get("/environment");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            """
            GREETING=hello
            MODE=test
            arguments 0
            cwd none
            terminal-stdin none
            terminal-stdout none
            terminal-stderr none
            """);
  }

  @Test
  void insecureRandomGivesTheBytesAskedForAndAStableSeed() throws Exception {
    HttpResponse<String> r = get("/random");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            """
            insecure-random-bytes 100
            insecure-random-bytes varied
            insecure-random-bytes 0
            insecure-random-u64 differ
            insecure-seed stable
            """);
  }

  @Test
  void noDirectoryIsPreopened() throws Exception {
    HttpResponse<String> r = get("/preopens");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("preopens 0\npreopens@0.2.0 0\n");
  }

  @Test
  void socketsAreRefusedWithTheErrorCodesOfTheWit() throws Exception {
    HttpResponse<String> r = get("/sockets");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            """
            create-tcp-socket ipv4: access-denied
            create-udp-socket ipv6: access-denied
            instance-network handle
            resolve-addresses example.com: access-denied
            """);
  }

  @Test
  void aNameLongerThanADnsNameIsAnInvalidArgumentAndIsNotRead() throws Exception {
    HttpResponse<String> r = get("/long-names");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            """
            resolve-addresses 253 bytes: access-denied
            resolve-addresses 254 bytes: invalid-argument
            """);
  }

  @Test
  void aLongNameReachingPastMemoryIsStillAnAbiViolation() throws Exception {
    JsonNode error = assertError(get("/long-name-outside"), "abi_violation");

    assertThat(error.path("error").asText())
        .contains("wasi:sockets/ip-name-lookup@0.2.12#resolve-addresses: name: range [4294967040,")
        .contains("is outside guest memory");
  }

  /**
   * The client has its whole answer before the guest calls exit-with-code, so whether the call
   * ended the instance shows only in the guest's output: had it returned, the guest would write
   * "exit-with-code returned" to stderr (and trap, which the client would not see either).
   */
  @Test
  void exitWithCodeAfterAnsweringEndsTheRequestNormally() throws Exception {
    HttpResponse<String> r = get("/exit-code");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("bye");
    // One instance at a time (max_concurrent_instances = 1): the next request is served only once
    // the first instance has ended and its output is logged.
    assertThat(get("/preopens").statusCode()).isEqualTo(200);
    assertThat(log.lines())
        .anyMatch(line -> line.endsWith("stderr: exit-with-code(3) next"))
        .noneMatch(line -> line.contains("exit-with-code returned"));
  }

  @Test
  void exitWithCodeBeforeAnsweringIsA500SayingSo() throws Exception {
    JsonNode error = assertError(get("/exit-early"), "module_trap");

    assertThat(error.path("error").asText())
        .contains("the module called exit-with-code(3) before setting a response");
  }

  @Test
  void anExitStatusThatIsNeitherOkNorErrIsAnAbiViolation() throws Exception {
    JsonNode error = assertError(get("/bogus-exit"), "abi_violation");

    assertThat(error.path("error").asText())
        .contains(
            "wasi:cli/exit@0.2.12#exit: status: result discriminant 2 (expected: 0 ok or 1 err)");
  }

  @Test
  void aFilesystemMethodOnAHandleThatIsNoDescriptorIsAnAbiViolation() throws Exception {
    JsonNode error = assertError(get("/bogus-descriptor"), "abi_violation");

    assertThat(error.path("error").asText())
        .startsWith("module " + MODULE + " broke the guest ABI: ")
        .contains(
            "wasi:filesystem/types@0.2.12#[method]descriptor.get-type: handle 42 is not a live"
                + " wasi:filesystem/types.descriptor handle");
  }

  @Test
  void anAddressFamilyTheWitDoesNotHaveIsAnAbiViolation() throws Exception {
    JsonNode error = assertError(get("/bogus-family"), "abi_violation");

    assertThat(error.path("error").asText())
        .contains(
            "wasi:sockets/tcp-create-socket@0.2.12#create-tcp-socket: address-family: case 7"
                + " (expected: 0 ipv4 or 1 ipv6)");
  }

  @Test
  void theFilesystemErrorCodeOfAHandleThatIsNoErrorIsAnAbiViolation() throws Exception {
    JsonNode error = assertError(get("/bogus-error"), "abi_violation");

    assertThat(error.path("error").asText())
        .contains(
            "wasi:filesystem/types@0.2.12#filesystem-error-code: handle 42 is not a live"
                + " wasi:io/error.error handle");
  }

  @Test
  void theEngineServesTheModuleAfterItsFailures() throws Exception {
    assertError(get("/bogus-descriptor"), "abi_violation");

    assertThat(get("/preopens").statusCode()).isEqualTo(200);
  }

  private static JsonNode assertError(HttpResponse<String> r, String code) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
    JsonNode error = JSON.readTree(r.body());
    assertThat(error.path("code").asText()).as(r.body()).isEqualTo(code);
    assertThat(error.path("module").asText()).isEqualTo(MODULE);
    return error;
  }

  private static HttpResponse<String> get(String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
            .timeout(Duration.ofSeconds(15))
            .header("x-wr-namespace", "test")
            .header("x-wr-module", "wasi-more")
            .header("x-wr-version", "1.0.0")
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
