package io.wruntime.engine;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.engine.registration.FakeNodeService;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.ModuleHealth;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Guests cannot take the node down: spinning modules on every guest thread, CPU time, the engine's
 * memory budget and a module that fails in {@code _initialize}, each on an engine of its own on
 * loopback, with the real echo example and the misbehaving test guests, driven over HTTP/1.1.
 */
class GuestIsolationIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  private static final Path ROOT =
      Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
  private static final Path ECHO = ROOT.resolve("examples/echo/echo.wasm");
  private static final Path GUESTS = Path.of("target", "test-guests").toAbsolutePath();
  private static final Path MISBEHAVING = GUESTS.resolve("misbehaving.wasm");
  private static final String NS = "isolation";

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Engine engine;
  private FakeNodeService node;

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close(Duration.ofMillis(500));
    }
    if (node != null) {
      node.close();
    }
  }

  private static String echoToml() {
    return """
        [[module]]
        name = "echo"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        """
        .formatted(ECHO);
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

  private void start(String toml) throws IOException {
    engine =
        Engine.startWith(EngineConfig.parse("isolation.toml", toml), WasiHttpModuleLoader::new);
  }

  @Test
  void spinningRequestsOnEveryGuestThreadLeaveTheNodeServing() throws Exception {
    node = FakeNodeService.start(0);
    int guestThreads = 2;
    start(
        """
        listen_address = "127.0.0.1:0"
        [node]
        proxy_address = "http://127.0.0.1:9"
        control_address = "127.0.0.1:%d"
        engine_id = "isolated"
        heartbeat_interval_secs = 1
        [pool]
        guest_threads = %d
        """
                .formatted(node.port(), guestThreads)
            + echoToml()
            + moduleToml("spin", MISBEHAVING, "request_timeout_secs = 60\nchannel_capacity = 8"));
    await().atMost(Duration.ofSeconds(10)).until(() -> health("echo") != null);

    // One more looping request than there are guest threads (and, on small machines, cores).
    int spinners = Math.max(guestThreads, Runtime.getRuntime().availableProcessors()) + 1;
    List<CompletableFuture<HttpResponse<String>>> spinning = new ArrayList<>();
    for (int i = 0; i < spinners; i++) {
      spinning.add(sendAsync(module("spin", "/spin")));
    }
    awaitGauge("wr_engine_instances_active", NS + ".spin@1.0.0", 1);
    int heartbeatsBefore = node.heartbeats.size();

    assertThat(send(get("/healthz")).statusCode()).isEqualTo(200);
    HttpResponse<String> ready = send(get("/readyz"));
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> echo =
          send(
              call("example", "echo", "1.0.0", "/")
                  .header("content-type", "text/plain")
                  .POST(HttpRequest.BodyPublishers.ofString("still serving " + i)));
      assertThat(echo.statusCode()).as(echo.body()).isEqualTo(200);
      assertThat(echo.body()).contains("still serving " + i);
    }
    // The spinning module holds at most module_guest_threads (the pool less one here); its other
    // requests waited their second and were refused.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> spinning.stream().filter(CompletableFuture::isDone).count() == spinners - 1);
    List<HttpResponse<String>> refused =
        spinning.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
    assertThat(refused)
        .allSatisfy(
            r -> {
              JsonNode error = assertError(r, 503, "no_instance_available");
              assertThat(error.path("error").asText())
                  .isEqualTo(
                      "module isolation.spin@1.0.0 had no free instance within 1 s"
                          + " (pool.module_guest_threads = 1, below max_concurrent_instances ="
                          + " 64)");
            });
    // Probes and heartbeats go on: echo is probed healthy, the saturated module unhealthy.
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              ModuleHealth spin = health("spin", heartbeatsBefore);
              assertThat(spin).isNotNull();
              assertThat(spin.getHealthy()).isFalse();
              assertThat(spin.getDetail()).contains("503", "had no free instance");
              ModuleHealth echo = health("echo", heartbeatsBefore);
              assertThat(echo).isNotNull();
              assertThat(echo.getHealthy()).as(echo.getDetail()).isTrue();
            });
  }

  @Test
  void cpuTimeIsCountedAndBoundedApartFromWallClockTime() throws Exception {
    start(
        """
        listen_address = "127.0.0.1:0"
        """
            + moduleToml("cpu", MISBEHAVING, "request_timeout_secs = 60\ncpu_timeout_secs = 1"));

    long started = System.nanoTime();
    HttpResponse<String> spun = send(module("cpu", "/spin"));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    JsonNode error = assertError(spun, 504, "cpu_time_exceeded");
    assertThat(error.path("error").asText())
        .isEqualTo("module isolation.cpu@1.0.0 used more than 1 s of CPU time (cpu_timeout_secs)");
    assertThat(took).isLessThan(Duration.ofSeconds(30));
    awaitGauge("wr_engine_instances_active", NS + ".cpu@1.0.0", 0);
    // Waiting is not CPU time: 2 s asleep in a host call is within a 1 s CPU limit.
    HttpResponse<String> slept = send(module("cpu", "/sleep"));
    assertThat(slept.statusCode()).as(slept.body()).isEqualTo(200);
    assertThat(slept.body()).isEqualTo("slept\n");
    assertThat(counter("wr_engine_cpu_seconds_total", NS + ".cpu@1.0.0")).isGreaterThan(0.9);
  }

  @Test
  void memoryBudgetAdmitsWhatFitsAndRefusesTheRestWithRetryAfter() throws Exception {
    String twoMiB = "max_memory_size = 2097152";
    start(
        """
        listen_address = "127.0.0.1:0"
        [pool]
        max_total_memory = 3145728
        """
            + moduleToml("mem-a", MISBEHAVING, twoMiB)
            + moduleToml("mem-b", MISBEHAVING, twoMiB)
            + moduleToml("huge", MISBEHAVING, "max_memory_size = 4194304"));

    CompletableFuture<HttpResponse<String>> sleeping = sendAsync(module("mem-a", "/sleep"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metrics().contains("\nwr_engine_memory_reserved_bytes 2097152.0\n"));
    HttpResponse<String> refused = send(module("mem-b", "/"));

    JsonNode error = assertError(refused, 503, "memory_budget_exhausted");
    assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
    assertThat(error.path("error").asText())
        .isEqualTo(
            "the engine's memory budget had no room for an instance of module"
                + " isolation.mem-b@1.0.0 (2097152 bytes of linear memory) within 1 s"
                + " (pool.max_total_memory = 3145728, reserved: 2097152)");
    assertThat(sleeping.get().statusCode()).isEqualTo(200);
    HttpResponse<String> after = send(module("mem-b", "/"));
    assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    assertThat(after.body()).isEqualTo("ok /\n");
    // A module whose instances could never fit is unavailable, with the reason.
    JsonNode huge = assertError(send(module("huge", "/")), 503, "module_unavailable");
    assertThat(huge.path("error").asText())
        .contains("4194304 bytes of linear memory, above the engine's memory budget of 3145728");
  }

  @Test
  void aGrowWhoseCopyTheBudgetCannotHoldFailsInTheGuestAndTheEngineServesOn() throws Exception {
    // 2 MiB for "grow" and 1 MiB for "other" fill the 3 MiB budget: while both run, growing the
    // memory (which copies it into a larger array) has no room for the copy.
    start(
        """
        listen_address = "127.0.0.1:0"
        [pool]
        max_total_memory = 3145728
        """
            + moduleToml("grow", MISBEHAVING, "max_memory_size = 2097152")
            + moduleToml("other", MISBEHAVING, "max_memory_size = 1048576"));

    CompletableFuture<HttpResponse<String>> sleeping = sendAsync(module("other", "/sleep"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metrics().contains("\nwr_engine_memory_reserved_bytes 1048576.0\n"));
    HttpResponse<String> refused = send(module("grow", "/alloc/1"));

    // malloc saw memory.grow fail (-1) and the guest aborted, as a C program does.
    JsonNode error = assertError(refused, 500, "module_trap");
    assertThat(error.path("module").asText()).isEqualTo(NS + ".grow@1.0.0");
    HttpResponse<String> slept = sleeping.get();
    assertThat(slept.statusCode()).as(slept.body()).isEqualTo(200);
    assertThat(slept.body()).isEqualTo("slept\n");
    // With the budget free again the same allocation succeeds: the budget, not the cap, refused.
    HttpResponse<String> allocated = send(module("grow", "/alloc/1"));
    assertThat(allocated.statusCode()).as(allocated.body()).isEqualTo(200);
    assertThat(allocated.body()).isEqualTo("allocated 1 MiB\n");
    assertThat(send(module("other", "/")).body()).isEqualTo("ok /\n");
    awaitGauge("wr_engine_instances_active", NS + ".grow@1.0.0", 0);
    assertThat(metrics()).contains("\nwr_engine_memory_reserved_bytes 0.0\n");
  }

  @Test
  void moduleThatFailsInInitializeIsReportedFailedWithTheReason() throws Exception {
    start(
        """
        listen_address = "127.0.0.1:0"
        """
            + echoToml()
            + moduleToml("init-trap", GUESTS.resolve("init_trap.wasm"), "")
            + moduleToml(
                "init-spin", GUESTS.resolve("init_spin.wasm"), "request_timeout_secs = 1"));

    HttpResponse<String> ready = send(get("/readyz"));

    assertThat(ready.statusCode()).isEqualTo(503);
    JsonNode modules = JSON.readTree(ready.body()).path("modules");
    assertThat(modules).hasSize(3);
    assertThat(modules.get(0).path("state").asText()).isEqualTo("ready");
    assertThat(modules.get(1).path("module").asText()).isEqualTo("isolation.init-trap@1.0.0");
    assertThat(modules.get(1).path("state").asText()).isEqualTo("failed");
    assertThat(modules.get(1).path("error").asText())
        .startsWith("_initialize trapped: ")
        .containsIgnoringCase("unreachable");
    assertThat(modules.get(2).path("state").asText()).isEqualTo("failed");
    assertThat(modules.get(2).path("error").asText())
        .isEqualTo("_initialize did not return within 1 s (request_timeout_secs)");
    JsonNode error = assertError(send(module("init-trap", "/")), 503, "module_unavailable");
    assertThat(error.path("error").asText())
        .startsWith("module isolation.init-trap@1.0.0 failed to load: _initialize trapped: ");
  }

  /** The latest health of {@code name} in heartbeats after the first {@code skip}, or null. */
  private ModuleHealth health(String name, int skip) {
    ModuleHealth last = null;
    List<HeartbeatRequest> heartbeats = List.copyOf(node.heartbeats);
    for (HeartbeatRequest request :
        heartbeats.subList(Math.min(skip, heartbeats.size()), heartbeats.size())) {
      for (EngineHeartbeat h : request.getHeartbeatsList()) {
        for (ModuleHealth m : h.getModulesList()) {
          if (m.getRef().getName().equals(name)) {
            last = m;
          }
        }
      }
    }
    return last;
  }

  private ModuleHealth health(String name) {
    return health(name, 0);
  }

  private static JsonNode assertError(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode error;
    try {
      error = JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
    assertThat(error.path("code").asText()).as(r.body()).isEqualTo(code);
    return error;
  }

  private void awaitGauge(String name, String module, long value) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> counter(name, module) == value);
  }

  private String metrics() throws Exception {
    return send(get("/metrics")).body();
  }

  /** The value of a per-module series on {@code /metrics}. */
  private double counter(String name, String module) throws Exception {
    String text = send(get("/metrics")).body();
    Matcher m =
        Pattern.compile(
                "^" + name + "\\{module=\"" + Pattern.quote(module) + "\"} ([0-9.E-]+)$",
                Pattern.MULTILINE)
            .matcher(text);
    assertThat(m.find()).as("%s of %s in\n%s", name, module, text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
        .timeout(CALL_TIMEOUT);
  }

  private HttpRequest.Builder call(String namespace, String name, String version, String path) {
    return get(path)
        .header("x-wr-namespace", namespace)
        .header("x-wr-module", name)
        .header("x-wr-version", version);
  }

  private HttpRequest.Builder module(String name, String path) {
    return call(NS, name, "1.0.0", path).timeout(Duration.ofSeconds(60));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
    return client.sendAsync(
        request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
