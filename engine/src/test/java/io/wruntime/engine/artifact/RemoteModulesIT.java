package io.wruntime.engine.artifact;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.wruntime.common.oci.Digest;
import io.wruntime.common.oci.OciReference;
import io.wruntime.common.oci.PushedModule;
import io.wruntime.common.oci.RegistryClient;
import io.wruntime.common.oci.RegistryCredentials;
import io.wruntime.common.oci.testing.AuthProxy;
import io.wruntime.common.oci.testing.TestRegistry;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * An engine whose modules come from a real distribution registry on loopback and from an HTTP URL:
 * the ones that verify serve, each that cannot be fetched or verified fails alone with a 503 and a
 * {@code /readyz} entry naming the reference and the digests, and the engine starts within the
 * fetch timeout although one registry never answers.
 */
class RemoteModulesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final int FETCH_TIMEOUT_SECS = 5;

  @TempDir static Path dir;
  private static TestRegistry registry;
  private static AuthProxy proxy;
  private static HttpServer files;
  private static ServerSocket silent;
  private static Engine engine;
  private static byte[] echo;
  private static PushedModule pushedEcho;
  private static PushedModule tampered;
  private static Digest tamperedServed;
  private static Duration startTook;
  private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    Path root = Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
    echo = Files.readAllBytes(root.resolve("examples/echo/echo.wasm"));
    byte[] schema = Files.readAllBytes(root.resolve("examples/schemas/echo.binpb"));
    registry = TestRegistry.start();
    RegistryClient client = RegistryClient.builder().build();
    pushedEcho =
        client.push(OciReference.parse(registry.address() + "/wruntime/echo:1.0.0"), echo, schema);
    // Another binary (echo with a custom section), so that tampering leaves echo's blob alone.
    tampered =
        client.push(
            OciReference.parse(registry.address() + "/wruntime/tampered:1.0.0"),
            withCustomSection(echo),
            null);
    registry.tamper(tampered.wasm().digest());
    tamperedServed = Digest.of(Files.readAllBytes(registry.blobFile(tampered.wasm().digest())));

    proxy = AuthProxy.start(registry, AuthProxy.Mode.BEARER, "ci", "token-pw");
    RegistryClient.builder()
        .credentials(
            RegistryCredentials.of(
                Map.of(proxy.address(), new RegistryCredentials.Credential("ci", "token-pw"))))
        .build()
        .push(OciReference.parse(proxy.address() + "/team/private:1.0.0"), echo, null);
    Path authFile = dir.resolve("dockerconfig.json");
    Files.writeString(
        authFile,
        "{\"auths\":{\""
            + proxy.address()
            + "\":{\"auth\":\""
            + Base64.getEncoder().encodeToString("ci:token-pw".getBytes(StandardCharsets.UTF_8))
            + "\"}}}");

    files = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    files.createContext(
        "/echo.wasm",
        exchange -> {
          try (exchange) {
            exchange.sendResponseHeaders(200, echo.length);
            exchange.getResponseBody().write(echo);
          }
        });
    files.start();
    String url = "http://127.0.0.1:" + files.getAddress().getPort() + "/echo.wasm";
    // Accepts connections and never answers: a registry that hangs.
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    int closedPort = TestRegistry.freePort();

    String toml =
        """
        listen_address = "127.0.0.1:0"
        module_cache_dir = "%s"
        module_fetch_timeout_secs = %d
        """
                .formatted(dir.resolve("cache"), FETCH_TIMEOUT_SECS)
            + module(
                "example",
                "echo",
                "wasm_image = \"%s\""
                    .formatted(pushedEcho.reference().registry() + "/wruntime/echo:1.0.0"))
            + module("example", "pinned", "wasm_image = \"%s\"".formatted(pushedEcho.reference()))
            + module(
                "example",
                "private",
                "wasm_image = \"%s/team/private:1.0.0\"\nregistry_auth_file = \"%s\""
                    .formatted(proxy.address(), authFile))
            + module(
                "example",
                "fromurl",
                "wasm_url = \"%s\"\nwasm_sha256 = \"%s\"".formatted(url, Digest.of(echo).hex()))
            + module("bad", "tampered", "wasm_image = \"%s\"".formatted(tampered.reference()))
            + module(
                "bad",
                "unreachable",
                "wasm_image = \"127.0.0.1:%d/wruntime/echo:1.0.0\"".formatted(closedPort))
            + module(
                "bad",
                "hanging",
                "wasm_image = \"127.0.0.1:%d/wruntime/echo:1.0.0\""
                    .formatted(silent.getLocalPort()))
            + module(
                "bad",
                "urlmismatch",
                "wasm_url = \"%s\"\nwasm_sha256 = \"%s\"".formatted(url, "0".repeat(64)))
            + module(
                "bad",
                "nowhere",
                "wasm_image = \"%s/wruntime/missing:1.0.0\"".formatted(registry.address()));
    Logger logger = (Logger) LoggerFactory.getLogger(Engine.class);
    LOG.start();
    logger.addAppender(LOG);
    long started = System.nanoTime();
    engine = Engine.startWith(EngineConfig.parse("remote.toml", toml), WasiHttpModuleLoader::new);
    startTook = Duration.ofNanos(System.nanoTime() - started);
    logger.detachAppender(LOG);
  }

  private static String module(String namespace, String name, String source) {
    return """

        [[module]]
        name = "%s"
        namespace = "%s"
        version = "1.0.0"
        %s
        """
        .formatted(name, namespace, source);
  }

  /** {@code wasm} with a custom section appended: still valid, another digest. */
  static byte[] withCustomSection(byte[] wasm) {
    byte[] section = {0x00, 0x03, 0x01, 't', 'x'};
    byte[] out = new byte[wasm.length + section.length];
    System.arraycopy(wasm, 0, out, 0, wasm.length);
    System.arraycopy(section, 0, out, wasm.length, section.length);
    return out;
  }

  @AfterAll
  static void stop() throws IOException {
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
    if (files != null) {
      files.stop(0);
    }
    if (silent != null) {
      silent.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void modulesFromAnImageATagADigestAPrivateRegistryAndAUrlServe() throws Exception {
    for (String name : List.of("echo", "pinned", "private", "fromurl")) {
      HttpResponse<String> r = send(call("example", name).POST(body("hello " + name)).build());

      assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(200);
      assertThat(r.body()).as(name).isEqualTo("hello " + name);
    }
    assertThat(proxy.tokensIssued()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aTamperedBlobFailsThatModuleNamingTheReferenceAndBothDigests() throws Exception {
    HttpResponse<String> r = send(call("bad", "tampered").POST(body("x")).build());

    assertThat(r.statusCode()).isEqualTo(503);
    JsonNode error = JSON.readTree(r.body());
    assertThat(error.path("code").asText()).isEqualTo("module_unavailable");
    String expectedReason =
        "wasm_image "
            + tampered.reference()
            + ": blob "
            + tampered.wasm().digest()
            + " (application/wasm) of "
            + registry.address()
            + "/wruntime/tampered has digest "
            + tamperedServed
            + " (expected: "
            + tampered.wasm().digest()
            + ")";
    assertThat(error.path("error").asText())
        .isEqualTo("module bad.tampered@1.0.0 failed to load: " + expectedReason);
    assertThat(readyz().get("bad.tampered@1.0.0")).isEqualTo(expectedReason);
    assertThat(LOG.list.stream().map(ILoggingEvent::getFormattedMessage))
        .contains("module bad.tampered@1.0.0 failed to load: " + expectedReason);
  }

  @Test
  void readyzListsEachModuleThatCouldNotBeFetchedWithItsReason() throws Exception {
    HttpResponse<String> r = send(get("/readyz").build());
    Map<String, String> failed = readyz();

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(failed)
        .containsOnlyKeys(
            "bad.tampered@1.0.0",
            "bad.unreachable@1.0.0",
            "bad.hanging@1.0.0",
            "bad.urlmismatch@1.0.0",
            "bad.nowhere@1.0.0");
    assertThat(failed.get("bad.unreachable@1.0.0"))
        .startsWith("wasm_image 127.0.0.1:")
        .contains("is unreachable");
    assertThat(failed.get("bad.hanging@1.0.0"))
        .endsWith(
            "fetching did not finish within "
                + FETCH_TIMEOUT_SECS
                + " s (module_fetch_timeout_secs)");
    assertThat(failed.get("bad.urlmismatch@1.0.0"))
        .isEqualTo(
            "wasm_url http://127.0.0.1:"
                + files.getAddress().getPort()
                + "/echo.wasm: the content has digest "
                + Digest.of(echo)
                + " (expected: sha256:"
                + "0".repeat(64)
                + ")");
    assertThat(failed.get("bad.nowhere@1.0.0"))
        .contains("has no manifest " + registry.address() + "/wruntime/missing@1.0.0")
        .contains("404");
  }

  @Test
  void aHangingRegistryDelaysTheStartByAtMostTheFetchTimeout() {
    assertThat(startTook).isLessThan(Duration.ofSeconds(FETCH_TIMEOUT_SECS + 10));
  }

  @Test
  void fetchedBlobsAreCachedByDigest() {
    Path cache = dir.resolve("cache/sha256");
    assertThat(cache.resolve(pushedEcho.wasm().digest().hex())).hasBinaryContent(echo);
    assertThat(cache.resolve(pushedEcho.manifestDigest().hex())).isRegularFile();
    assertThat(cache.resolve(tampered.wasm().digest().hex())).doesNotExist();
  }

  private static Map<String, String> readyz() throws Exception {
    JsonNode body = JSON.readTree(send(get("/readyz").build()).body());
    Map<String, String> failed = new HashMap<>();
    for (JsonNode m : body.path("modules")) {
      if (m.path("state").asText().equals("failed")) {
        failed.put(m.path("module").asText(), m.path("error").asText());
      }
    }
    return failed;
  }

  private static HttpRequest.BodyPublisher body(String text) {
    return HttpRequest.BodyPublishers.ofString(text);
  }

  private static HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create("http://" + engine.address() + path))
        .timeout(Duration.ofSeconds(15));
  }

  private static HttpRequest.Builder call(String namespace, String name) {
    return get("/")
        .header("x-wr-namespace", namespace)
        .header("x-wr-module", name)
        .header("x-wr-version", "1.0.0")
        .header("content-type", "text/plain");
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
