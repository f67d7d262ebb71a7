package io.wruntime.engine;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every error the engine answers, end to end: one engine on a loopback port hosting the echo
 * example and real misbehaving modules (built from {@code src/test/guests/misbehaving.c}, a garbage
 * file, a module without the handler export), driven over HTTP/1.1 by the JDK client, each answer
 * checked for its status, JSON code and message as a user sees them. The engine serves echo after
 * all of them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngineErrorsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
  private static final Path GUESTS = Path.of("target", "test-guests");
  private static final String NS = "errors";
  private static final String ONE_RUNNING_ONE_WAITING =
      "max_concurrent_instances = 1\nchannel_capacity = 1";

  private static final String ECHO = "example.echo@1.0.0";
  private static final String FAULTY = "errors.faulty@1.0.0";
  private static final String SPIN = "errors.spin@1.0.0";
  private static final String QUEUED = "errors.queued@1.0.0";
  private static final String WAITING = "errors.waiting@1.0.0";
  private static final String CAPPED = "errors.capped@1.0.0";
  private static final String GARBAGE = "errors.garbage@1.0.0";
  private static final String NO_HANDLER = "errors.no-handler@1.0.0";

  @TempDir static Path dir;
  private static Engine engine;
  private static final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws IOException {
    Path root = Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
    Path echo = root.resolve("examples/echo/echo.wasm");
    Path misbehaving = GUESTS.resolve("misbehaving.wasm").toAbsolutePath();
    Path noHandler = GUESTS.resolve("no_handler.wasm").toAbsolutePath();
    assertThat(echo).as("the echo example (built by the examples module)").isRegularFile();
    assertThat(misbehaving).as("test guests (make -C src/test/guests)").isRegularFile();
    Path garbage = dir.resolve("garbage.wasm");
    Files.writeString(garbage, "this is not WebAssembly at all\n");
    String toml =
        """
        listen_address = "127.0.0.1:0"

        [[module]]
        name = "echo"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        """
                .formatted(echo)
            + moduleToml("faulty", misbehaving, "")
            + moduleToml("spin", misbehaving, "request_timeout_secs = 1")
            + moduleToml("queued", misbehaving, ONE_RUNNING_ONE_WAITING)
            + moduleToml("waiting", misbehaving, ONE_RUNNING_ONE_WAITING)
            + moduleToml("capped", misbehaving, "max_memory_size = 2097152")
            + moduleToml("garbage", garbage, "")
            + moduleToml("no-handler", noHandler, "");
    engine = Engine.startWith(EngineConfig.parse("errors.toml", toml), WasiHttpModuleLoader::new);
  }

  private static String moduleToml(String name, Path wasm, String extra) {
    return """

        [[module]]
        name = "%s"
        namespace = "%s"
        version = "1.0.0"
        wasm_path = "%s"
        %s
        """
        .formatted(name, NS, wasm, extra);
  }

  @AfterAll
  static void stop() {
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
  }

  @Test
  void healthzAnswersOk() throws Exception {
    HttpResponse<String> r = send(get("/healthz").build());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).path("status").asText()).isEqualTo("ok");
  }

  @Test
  void missingDispatchHeaderIsA400NamingIt() throws Exception {
    HttpResponse<String> r =
        send(get("/").header("x-wr-namespace", "example").header("x-wr-module", "echo").build());

    JsonNode error = assertError(r, 400, "missing_dispatch_headers");
    assertThat(error.path("error").asText())
        .startsWith("missing x-wr-version (expected:")
        .doesNotContain("missing x-wr-namespace")
        .doesNotContain("missing x-wr-module");
  }

  @Test
  void unknownModuleIsA404NamingItAndWhatIsHosted() throws Exception {
    HttpResponse<String> r = send(call("example", "nope", "1.0.0", "/").build());

    JsonNode error = assertError(r, 404, "module_not_found");
    assertThat(error.path("error").asText())
        .startsWith("module example.nope@1.0.0 is not hosted by this engine")
        .contains(ECHO, FAULTY);

    HttpResponse<String> otherVersion = send(call("example", "echo", "2.0.0", "/").build());

    assertThat(assertError(otherVersion, 404, "module_not_found").path("error").asText())
        .contains("example.echo@2.0.0", "hosted versions of example.echo: 1.0.0");
  }

  @Test
  void trapIsA500WithTheTrapReason() throws Exception {
    HttpResponse<String> r = send(module("faulty", "/trap").build());

    JsonNode error = assertError(r, 500, "module_trap");
    assertThat(error.path("module").asText()).isEqualTo(FAULTY);
    assertThat(error.path("error").asText())
        .startsWith("module " + FAULTY + " trapped: ")
        .containsIgnoringCase("unreachable");
  }

  @Test
  void outOfBoundsPointerIsA500NamingTheHostFunctionAndArgument() throws Exception {
    HttpResponse<String> r = send(module("faulty", "/bad-pointer").build());

    JsonNode error = assertError(r, 500, "abi_violation");
    assertThat(error.path("error").asText())
        .startsWith("module " + FAULTY + " broke the guest ABI: ")
        .contains("wasi:http/types@0.2.0#[method]fields.append: ")
        .contains("name: range [")
        .contains("is outside guest memory of ");
  }

  @Test
  void moduleThatDoesNotRespondIsA500SayingSo() throws Exception {
    HttpResponse<String> r = send(module("faulty", "/none").build());

    JsonNode error = assertError(r, 500, "no_response");
    assertThat(error.path("error").asText())
        .startsWith("module " + FAULTY + " returned without setting a response");
  }

  @Test
  void infiniteLoopIsStoppedAtItsDeadlineWithA504() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = send(module("spin", "/spin").build());
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    JsonNode error = assertError(r, 504, "deadline_exceeded");
    assertThat(error.path("error").asText())
        .isEqualTo("module " + SPIN + " did not respond within 1 s (request_timeout_secs)");
    assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    // The looping instance was really stopped, not just answered for.
    awaitGauge("wr_engine_instances_active", SPIN, 0);
    assertEchoAnswers("after the loop");
  }

  @Test
  void fullQueueIsA429WithRetryAfter() throws Exception {
    CompletableFuture<HttpResponse<String>> running = sendAsync(module("queued", "/sleep"));
    awaitGauge("wr_engine_instances_active", QUEUED, 1);
    CompletableFuture<HttpResponse<String>> queued = sendAsync(module("queued", "/sleep"));
    awaitGauge("wr_engine_requests_waiting", QUEUED, 1);

    List<HttpResponse<String>> refused = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> more = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      more.add(sendAsync(module("queued", "/sleep")));
    }
    for (CompletableFuture<HttpResponse<String>> f : more) {
      refused.add(f.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    }

    for (HttpResponse<String> r : refused) {
      JsonNode error = assertError(r, 429, "queue_full");
      assertThat(r.headers().firstValue("retry-after")).hasValue("1");
      assertThat(error.path("error").asText())
          .isEqualTo(
              "module "
                  + QUEUED
                  + " already has its queue of 1 waiting request full (channel_capacity = 1);"
                  + " retry later");
    }
    HttpResponse<String> first = running.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("slept\n");
    // The queued request waits at most 1 s, less than the 2 s the running one sleeps.
    assertThat(queued.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(503);
  }

  @Test
  void requestWithoutAnInstanceWithinOneSecondIsA503WithRetryAfter() throws Exception {
    CompletableFuture<HttpResponse<String>> running = sendAsync(module("waiting", "/sleep"));
    awaitGauge("wr_engine_instances_active", WAITING, 1);

    long start = System.nanoTime();
    HttpResponse<String> r = send(module("waiting", "/sleep").build());
    Duration waited = Duration.ofNanos(System.nanoTime() - start);

    JsonNode error = assertError(r, 503, "no_instance_available");
    assertThat(r.headers().firstValue("retry-after")).hasValue("1");
    assertThat(error.path("error").asText())
        .isEqualTo(
            "module "
                + WAITING
                + " had no free instance within 1 s (max_concurrent_instances = 1)");
    assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    // No isNotDone() on the running request here: under load its 2 s can end before the 503
    // reaches the client; the 503 itself says the one instance was busy for the whole second.
    HttpResponse<String> first = running.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("slept\n");
    // Once the instance is free again, the module is served.
    assertThat(send(module("waiting", "/hello").build()).body()).isEqualTo("ok /hello\n");
  }

  @Test
  void growingMemoryBeyondTheModulesCapFailsTheRequestNotTheEngine() throws Exception {
    HttpResponse<String> small = send(module("capped", "/alloc/1").build());
    assertThat(small.statusCode()).isEqualTo(200);
    assertThat(small.body()).isEqualTo("allocated 1 MiB\n");
    // Under the default 10 MiB the same allocation succeeds: the 2 MiB cap is what stops it.
    HttpResponse<String> uncapped = send(module("faulty", "/alloc/4").build());
    assertThat(uncapped.statusCode()).isEqualTo(200);
    assertThat(uncapped.body()).isEqualTo("allocated 4 MiB\n");

    HttpResponse<String> r = send(module("capped", "/alloc/4").build());

    JsonNode error = assertError(r, 500, "module_trap");
    assertThat(error.path("module").asText()).isEqualTo(CAPPED);
    assertThat(error.path("error").asText()).startsWith("module " + CAPPED + " trapped: ");
    assertThat(send(module("capped", "/alloc/1").build()).statusCode()).isEqualTo(200);
  }

  @Test
  void malformedModuleIsA503NamingTheReason() throws Exception {
    HttpResponse<String> r = send(module("garbage", "/").build());

    JsonNode error = assertError(r, 503, "module_unavailable");
    assertThat(error.path("error").asText())
        .startsWith("module " + GARBAGE + " failed to load: ")
        .contains("garbage.wasm is not a valid WebAssembly module");
    assertEchoAnswers("next to a malformed module");
  }

  @Test
  void moduleWithoutTheHandlerExportIsA503NamingTheReason() throws Exception {
    HttpResponse<String> r = send(module("no-handler", "/").build());

    JsonNode error = assertError(r, 503, "module_unavailable");
    assertThat(error.path("error").asText())
        .startsWith("module " + NO_HANDLER + " failed to load: ")
        .contains("does not export wasi:http/incoming-handler@0.2.N#handle")
        .contains("it exports: ");
    assertEchoAnswers("next to a module without a handler");
  }

  @Test
  void readyzListsTheModulesThatFailedToLoad() throws Exception {
    HttpResponse<String> r = send(get("/readyz").build());

    assertThat(r.statusCode()).isEqualTo(503);
    JsonNode body = json(r);
    assertThat(body.path("status").asText()).isEqualTo("not_ready");
    List<String> failed = new ArrayList<>();
    for (JsonNode m : body.path("modules")) {
      String label = m.path("module").asText();
      if (label.equals(GARBAGE) || label.equals(NO_HANDLER)) {
        assertThat(m.path("state").asText()).as(label).isEqualTo("failed");
        assertThat(m.path("error").asText()).as(label).isNotBlank();
        failed.add(label);
      } else {
        assertThat(m.path("state").asText()).as(label).isEqualTo("ready");
      }
    }
    assertThat(failed).containsExactlyInAnyOrder(GARBAGE, NO_HANDLER);
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void engineStillServesEchoAndHoldsNoInstanceAfterEveryFailure() throws Exception {
    assertEchoAnswers("after every failure");
    for (String label : List.of(ECHO, FAULTY, SPIN, QUEUED, WAITING, CAPPED)) {
      awaitGauge("wr_engine_instances_active", label, 0);
      assertThat(gauge("wr_engine_requests_waiting", label)).as(label).isZero();
    }
    assertThat(send(get("/healthz").build()).statusCode()).isEqualTo(200);
  }

  private static void assertEchoAnswers(String when) throws Exception {
    String text = "echo " + when;
    HttpResponse<String> r =
        send(
            call("example", "echo", "1.0.0", "/")
                .header("content-type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(text))
                .build());
    assertThat(r.statusCode()).as(when).isEqualTo(200);
    assertThat(r.body()).as(when).isEqualTo(text);
    assertThat(r.headers().firstValue("content-type")).as(when).hasValue("text/plain");
  }

  private static JsonNode assertError(HttpResponse<String> r, int status, String code)
      throws IOException {
    assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode error = json(r);
    assertThat(error.path("code").asText()).as(r.body()).isEqualTo(code);
    assertThat(error.path("error").asText()).as(r.body()).isNotBlank();
    return error;
  }

  private static void awaitGauge(String name, String module, long value) {
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> gauge(name, module) == value);
  }

  /** The value of a per-module gauge on {@code /metrics}. */
  private static long gauge(String name, String module) throws Exception {
    String text = send(get("/metrics").build()).body();
    Matcher m =
        Pattern.compile(
                "^" + name + "\\{module=\"" + Pattern.quote(module) + "\"} (\\d+)(?:\\.0)?$",
                Pattern.MULTILINE)
            .matcher(text);
    assertThat(m.find()).as("%s of %s in\n%s", name, module, text).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
        .timeout(CALL_TIMEOUT);
  }

  private static HttpRequest.Builder call(
      String namespace, String name, String version, String path) {
    return get(path)
        .header("x-wr-namespace", namespace)
        .header("x-wr-module", name)
        .header("x-wr-version", version);
  }

  private static HttpRequest.Builder module(String name, String path) {
    return call(NS, name, "1.0.0", path);
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
    return client.sendAsync(
        request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }
}
