package io.wruntime.engine.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wruntime.engine.config.PoolConfig;
import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DispatcherTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ModuleLimits LIMITS = new ModuleLimits(Duration.ofSeconds(5), 4, 8);

  private final ModuleRegistry registry = new ModuleRegistry();
  private Dispatcher dispatcher = new Dispatcher(registry, 1000, Duration.ofMillis(300));
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() throws InterruptedException {
    release.countDown();
    dispatcher.shutdown(Duration.ofSeconds(2));
  }

  private HostedModule host(
      String name, String version, FakeModule.Behavior behavior, ModuleLimits limits) {
    HostedModule m =
        HostedModule.ready(
            "example", name, version, new FakeModule("example", name, version, behavior), limits);
    registry.add(m);
    return m;
  }

  private static IncomingRequest request(String namespace, String module, String version) {
    List<Field> headers = new ArrayList<>();
    if (namespace != null) headers.add(Field.of("x-wr-namespace", namespace));
    if (module != null) headers.add(Field.of("x-wr-module", module));
    if (version != null) headers.add(Field.of("x-wr-version", version));
    return new IncomingRequest("GET", "http", "localhost", "/", headers, BodySource.empty());
  }

  private RecordingResponse send(String module, String version) {
    RecordingResponse response = new RecordingResponse();
    dispatcher.handle(request("example", module, version), response);
    return response;
  }

  private static JsonNode json(RecordingResponse response) throws Exception {
    assertThat(response.header("content-type")).isEqualTo("application/json");
    return JSON.readTree(response.bodyText());
  }

  private FakeModule.Behavior blockUntilReleased() {
    return (request, response) -> {
      release.await();
      FakeModule.respond(200, "released").handle(request, response);
    };
  }

  @Test
  void runsTheModuleOnAGuestPlatformThread() {
    AtomicReference<Thread> thread = new AtomicReference<>();
    host(
        "echo",
        "1.0.0",
        (request, response) -> {
          thread.set(Thread.currentThread());
          FakeModule.respond(200, "hi").handle(request, response);
        },
        LIMITS);

    RecordingResponse response = send("echo", "1.0.0").await();

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.bodyText()).isEqualTo("hi");
    // A spinning guest on a virtual thread would pin a carrier; the OS preempts this one.
    assertThat(thread.get().isVirtual()).isFalse();
    assertThat(thread.get().getName()).startsWith("wr-guest-");
  }

  @Test
  void missingHeadersAreNamed() throws Exception {
    host("echo", "1.0.0", FakeModule.respond(200, "x"), LIMITS);

    RecordingResponse none = new RecordingResponse();
    dispatcher.handle(request(null, null, null), none);
    RecordingResponse noVersion = new RecordingResponse();
    dispatcher.handle(request("example", "echo", null), noVersion);

    assertThat(none.await().status()).isEqualTo(400);
    JsonNode body = json(none);
    assertThat(body.get("code").asText()).isEqualTo("missing_dispatch_headers");
    assertThat(body.get("error").asText())
        .startsWith("missing x-wr-namespace, x-wr-module, x-wr-version (expected:");
    assertThat(noVersion.await().status()).isEqualTo(400);
    assertThat(json(noVersion).get("error").asText()).startsWith("missing x-wr-version (");
  }

  @Test
  void unknownModuleIsNamedWithTheHostedOnes() throws Exception {
    host("echo", "1.0.0", FakeModule.respond(200, "x"), LIMITS);
    host("other", "2.0.0", FakeModule.respond(200, "x"), LIMITS);

    RecordingResponse unknown = send("nope", "1.0.0").await();
    RecordingResponse otherVersion = send("echo", "1.1.0").await();

    assertThat(unknown.status()).isEqualTo(404);
    JsonNode body = json(unknown);
    assertThat(body.get("code").asText()).isEqualTo("module_not_found");
    assertThat(body.get("module").asText()).isEqualTo("example.nope@1.0.0");
    assertThat(body.get("error").asText())
        .isEqualTo(
            "module example.nope@1.0.0 is not hosted by this engine (hosted:"
                + " example.echo@1.0.0, example.other@2.0.0)");
    assertThat(otherVersion.status()).isEqualTo(404);
    assertThat(json(otherVersion).get("error").asText())
        .contains("hosted versions of example.echo: 1.0.0");
  }

  @Test
  void moduleThatFailedToLoadAnswers503WithTheReason() throws Exception {
    registry.add(HostedModule.failed("example", "bad", "1.0.0", "missing export handle", LIMITS));

    RecordingResponse response = send("bad", "1.0.0").await();

    assertThat(response.status()).isEqualTo(503);
    JsonNode body = json(response);
    assertThat(body.get("code").asText()).isEqualTo("module_unavailable");
    assertThat(body.get("error").asText())
        .isEqualTo("module example.bad@1.0.0 failed to load: missing export handle");
    assertThat(body.get("module").asText()).isEqualTo("example.bad@1.0.0");
  }

  @Test
  void fullQueueAnswers429WithRetryAfter() throws Exception {
    // The queued request must still be queued when the third arrives: 300 ms of waiting can pass
    // between two polls on a loaded machine, so it gets a wait it cannot outlast here.
    dispatcher = new Dispatcher(registry, 1000, Duration.ofSeconds(30));
    host("slow", "1.0.0", blockUntilReleased(), new ModuleLimits(Duration.ofSeconds(5), 1, 1));

    RecordingResponse running = send("slow", "1.0.0");
    await().until(() -> registry.find("example", "slow", "1.0.0").activeInstances() == 1);
    RecordingResponse waiting = send("slow", "1.0.0");
    await().until(() -> registry.find("example", "slow", "1.0.0").waitingRequests() == 1);
    RecordingResponse refused = send("slow", "1.0.0").await();

    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.header("retry-after")).isEqualTo("1");
    JsonNode body = json(refused);
    assertThat(body.get("code").asText()).isEqualTo("queue_full");
    assertThat(body.get("error").asText())
        .isEqualTo(
            "module example.slow@1.0.0 already has its queue of 1 waiting request full"
                + " (channel_capacity = 1); retry later");
    release.countDown();
    assertThat(running.await().status()).isEqualTo(200);
    assertThat(waiting.await().status()).isEqualTo(200);
  }

  @Test
  void noFreeInstanceInTimeAnswers503WithRetryAfter() throws Exception {
    host("slow", "1.0.0", blockUntilReleased(), new ModuleLimits(Duration.ofSeconds(5), 1, 10));

    RecordingResponse running = send("slow", "1.0.0");
    await().until(() -> registry.find("example", "slow", "1.0.0").activeInstances() == 1);
    RecordingResponse refused = send("slow", "1.0.0").await();

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.header("retry-after")).isEqualTo("1");
    JsonNode body = json(refused);
    assertThat(body.get("code").asText()).isEqualTo("no_instance_available");
    assertThat(body.get("error").asText())
        .isEqualTo(
            "module example.slow@1.0.0 had no free instance within 300 ms"
                + " (max_concurrent_instances = 1)");
    assertThat(running.finished()).isFalse();
  }

  @Test
  void engineWideInstanceCapApplies() throws Exception {
    dispatcher.shutdown(Duration.ZERO);
    dispatcher = new Dispatcher(registry, 1, Duration.ofMillis(200));
    host("slow", "1.0.0", blockUntilReleased(), LIMITS);
    host("echo", "1.0.0", FakeModule.respond(200, "x"), LIMITS);

    send("slow", "1.0.0");
    await().until(() -> registry.find("example", "slow", "1.0.0").activeInstances() == 1);
    RecordingResponse refused = send("echo", "1.0.0").await();

    assertThat(refused.status()).isEqualTo(503);
    assertThat(json(refused).get("error").asText())
        .isEqualTo("the engine had no free instance within 200 ms (total_component_instances = 1)");
    release.countDown();
    await().until(() -> registry.find("example", "slow", "1.0.0").activeInstances() == 0);
    assertThat(send("echo", "1.0.0").await().status()).isEqualTo(200);
  }

  @Test
  void deadlineInterruptsTheModuleAndAnswers504() throws Exception {
    AtomicBoolean interrupted = new AtomicBoolean();
    host(
        "sleepy",
        "1.0.0",
        (request, response) -> {
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            interrupted.set(true);
            throw e;
          }
        },
        new ModuleLimits(Duration.ofMillis(200), 4, 8));

    RecordingResponse response = send("sleepy", "1.0.0").await();

    assertThat(response.status()).isEqualTo(504);
    JsonNode body = json(response);
    assertThat(body.get("code").asText()).isEqualTo("deadline_exceeded");
    assertThat(body.get("error").asText())
        .isEqualTo(
            "module example.sleepy@1.0.0 did not respond within 200 ms (request_timeout_secs)");
    await().untilTrue(interrupted);
    await().until(() -> dispatcher.inFlight() == 0);
  }

  @Test
  void deadlineAfterTheResponseStartedCutsIt() {
    host(
        "stream",
        "1.0.0",
        (request, response) -> {
          BodySink sink = response.start(200, List.of());
          sink.write(new byte[] {1, 2, 3}, 0, 3);
          Thread.sleep(60_000);
        },
        new ModuleLimits(Duration.ofMillis(200), 4, 8));

    RecordingResponse response = send("stream", "1.0.0").await();

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.finished()).isFalse();
    assertThat(response.aborted()).contains("did not respond within 200 ms");
  }

  @Test
  void guestFailuresMapToStatusesAndCodes() throws Exception {
    host("trap", "1.0.0", FakeModule.failing(GuestException.Kind.TRAP, "unreachable"), LIMITS);
    host(
        "abi",
        "1.0.0",
        FakeModule.failing(GuestException.Kind.ABI_VIOLATION, "bad pointer 0x10"),
        LIMITS);
    host(
        "silent",
        "1.0.0",
        FakeModule.failing(GuestException.Kind.NO_RESPONSE, "handle returned"),
        LIMITS);
    host(
        "stopped",
        "1.0.0",
        FakeModule.failing(GuestException.Kind.INTERRUPTED, "interrupted"),
        LIMITS);

    RecordingResponse trap = send("trap", "1.0.0").await();
    RecordingResponse abi = send("abi", "1.0.0").await();
    RecordingResponse silent = send("silent", "1.0.0").await();
    RecordingResponse stopped = send("stopped", "1.0.0").await();

    assertThat(trap.status()).isEqualTo(500);
    assertThat(json(trap).get("code").asText()).isEqualTo("module_trap");
    assertThat(json(trap).get("error").asText())
        .isEqualTo("module example.trap@1.0.0 trapped: unreachable");
    assertThat(abi.status()).isEqualTo(500);
    assertThat(json(abi).get("code").asText()).isEqualTo("abi_violation");
    assertThat(json(abi).get("error").asText())
        .isEqualTo("module example.abi@1.0.0 broke the guest ABI: bad pointer 0x10");
    assertThat(silent.status()).isEqualTo(500);
    assertThat(json(silent).get("code").asText()).isEqualTo("no_response");
    assertThat(stopped.status()).isEqualTo(504);
    assertThat(json(stopped).get("code").asText()).isEqualTo("deadline_exceeded");
  }

  @Test
  void moduleReturningWithoutAResponseIs500() throws Exception {
    host("lazy", "1.0.0", (request, response) -> {}, LIMITS);

    RecordingResponse response = send("lazy", "1.0.0").await();

    assertThat(response.status()).isEqualTo(500);
    assertThat(json(response).get("error").asText())
        .isEqualTo("module example.lazy@1.0.0 returned without setting a response");
  }

  @Test
  void moduleReturningWithAnOpenBodyCutsTheResponse() {
    host(
        "half",
        "1.0.0",
        (request, response) -> response.start(200, List.of()).write(new byte[] {1}, 0, 1),
        LIMITS);

    RecordingResponse response = send("half", "1.0.0").await();

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.aborted())
        .isEqualTo("module example.half@1.0.0 returned before finishing its response body");
  }

  @Test
  void aModuleAbortingAStartedBodyIsLoggedAsAFailedRequest() {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    ch.qos.logback.classic.Logger log =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Dispatcher.class);
    log.addAppender(logs);
    try {
      host(
          "cut",
          "1.0.0",
          (request, response) -> {
            BodySink body = response.start(200, List.of());
            body.write(new byte[] {1}, 0, 1);
            body.abort("outgoing body dropped without outgoing-body.finish");
          },
          LIMITS);

      RecordingResponse response = send("cut", "1.0.0").await();

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.aborted()).contains("dropped without outgoing-body.finish");
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                synchronized (logs) {
                  assertThat(logs.list)
                      .anySatisfy(
                          e -> {
                            assertThat(e.getLevel()).isEqualTo(Level.WARN);
                            assertThat(e.getFormattedMessage())
                                .startsWith(
                                    "request failed: module=example.cut@1.0.0 status=200"
                                        + " code=response_aborted");
                          });
                }
              });
    } finally {
      log.detachAppender(logs);
    }
  }

  @Test
  void engineBugInAModuleCallIs500AndTheEngineCarriesOn() throws Exception {
    host(
        "buggy",
        "1.0.0",
        (request, response) -> {
          throw new IllegalStateException("boom");
        },
        LIMITS);
    // FakeModule turns plain exceptions into traps; a RuntimeException from the module object
    // itself (the host) is what the engine must survive too.
    HostedModule raw =
        HostedModule.ready(
            "example",
            "raw",
            "1.0.0",
            new io.wruntime.engine.module.GuestModule() {
              @Override
              public io.wruntime.engine.module.ModuleDefinition definition() {
                return null;
              }

              @Override
              public long maxMemoryBytes() {
                return 1 << 20;
              }

              @Override
              public void handle(
                  IncomingRequest request, io.wruntime.engine.http.ResponseSink response) {
                throw new IllegalStateException("host bug");
              }
            },
            LIMITS);
    registry.add(raw);
    host("echo", "1.0.0", FakeModule.respond(200, "still here"), LIMITS);

    RecordingResponse buggy = send("buggy", "1.0.0").await();
    RecordingResponse hostBug = send("raw", "1.0.0").await();
    RecordingResponse after = send("echo", "1.0.0").await();

    assertThat(buggy.status()).isEqualTo(500);
    assertThat(hostBug.status()).isEqualTo(500);
    assertThat(json(hostBug).get("code").asText()).isEqualTo("internal_error");
    assertThat(json(hostBug).get("error").asText()).contains("host bug");
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.bodyText()).isEqualTo("still here");
  }

  @Test
  void moduleStartingAfterTheDeadlineAnswerIsRefused() {
    AtomicBoolean refused = new AtomicBoolean();
    host(
        "late",
        "1.0.0",
        (request, response) -> {
          long end = System.nanoTime() + Duration.ofMillis(400).toNanos();
          while (System.nanoTime() < end) {
            Thread.onSpinWait(); // ignores interrupts, like a busy guest
          }
          try {
            response.start(200, List.of());
          } catch (java.io.IOException e) {
            refused.set(true);
          }
        },
        new ModuleLimits(Duration.ofMillis(100), 4, 8));

    RecordingResponse response = send("late", "1.0.0").await();

    assertThat(response.status()).isEqualTo(504);
    await().untilTrue(refused);
  }

  @Test
  void shutdownLetsRunningRequestsFinishAndRefusesNewOnes() throws Exception {
    host("slow", "1.0.0", blockUntilReleased(), LIMITS);
    RecordingResponse running = send("slow", "1.0.0");
    await().until(() -> dispatcher.inFlight() == 1);

    Thread stopper =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    dispatcher.shutdown(Duration.ofSeconds(5));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    await().until(() -> send("slow", "1.0.0").await().status() == 503);
    release.countDown();
    stopper.join();

    assertThat(running.await().status()).isEqualTo(200);
    assertThat(dispatcher.inFlight()).isZero();
  }

  @Test
  void metricsCountRequestsByModuleAndStatus() {
    host("echo", "1.0.0", FakeModule.respond(200, "x"), LIMITS);
    send("echo", "1.0.0").await();
    send("echo", "1.0.0").await();
    send("nope", "1.0.0").await();

    String text = dispatcher.metricsText();

    assertThat(text)
        .contains("wr_engine_requests_total{module=\"example.echo@1.0.0\",status=\"200\"} 2")
        // A module nobody hosts is no label value of its own.
        .contains("wr_engine_requests_total{module=\"unknown\",status=\"404\"} 1")
        .contains("wr_engine_module_ready{module=\"example.echo@1.0.0\"} 1");
  }

  @Test
  void aTrapAnsweredInFullIsTheModulesFailureEvenIfTheClientClosesRightAfter() throws Exception {
    List<EngineError> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
    dispatcher.shutdown(Duration.ZERO);
    dispatcher =
        new Dispatcher(
            registry,
            1000,
            Duration.ofMillis(300),
            (module, request) ->
                new DispatchObserver.Observation() {
                  @Override
                  public IncomingRequest request() {
                    return request;
                  }

                  @Override
                  public void ended(int status, EngineError error) {
                    ended.add(error);
                  }
                });
    host("trap", "1.0.0", FakeModule.failing(GuestException.Kind.TRAP, "unreachable"), LIMITS);

    RecordingResponse trap = new RecordingResponse().closingOnceAnswered();
    dispatcher.handle(request("example", "trap", "1.0.0"), trap);
    trap.await();

    assertThat(trap.status()).isEqualTo(500);
    assertThat(trap.clientClosed()).as("the client closed after the answer").isTrue();
    await().until(() -> !ended.isEmpty());
    assertThat(ended.get(0).code())
        .as("not client_closed: the client had the whole answer when it left")
        .isEqualTo("module_trap");
  }

  private Dispatcher dispatcherWith(int guestThreads, long maxTotalMemory) {
    try {
      dispatcher.shutdown(Duration.ZERO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    PoolConfig pool =
        new PoolConfig(
            1000,
            PoolConfig.DEFAULT_MAX_MEMORY_SIZE,
            ExecutionMode.INTERPRETED,
            guestThreads,
            guestThreads,
            maxTotalMemory);
    dispatcher = new Dispatcher(registry, pool, Duration.ofMillis(300), DispatchObserver.NONE);
    return dispatcher;
  }

  /** Burns CPU until interrupted, as a guest looping without host calls does. */
  private static FakeModule.Behavior spin() {
    return (request, response) -> {
      long x = 0;
      while (!Thread.currentThread().isInterrupted()) {
        x += System.nanoTime() & 1;
      }
      throw new GuestException(GuestException.Kind.INTERRUPTED, "interrupted after " + x);
    };
  }

  @Test
  void cpuTimeLimitStopsASpinningModuleWithA504() throws Exception {
    host(
        "spin",
        "1.0.0",
        spin(),
        new ModuleLimits(
            Duration.ofSeconds(30), 4, 8, Duration.ofMillis(300), "max_concurrent_instances = 4"));

    RecordingResponse response = send("spin", "1.0.0").await();

    assertThat(response.status()).isEqualTo(504);
    JsonNode body = json(response);
    assertThat(body.get("code").asText()).isEqualTo("cpu_time_exceeded");
    assertThat(body.get("error").asText())
        .isEqualTo(
            "module example.spin@1.0.0 used more than 300 ms of CPU time (cpu_timeout_secs)");
    await().until(() -> dispatcher.inFlight() == 0);
    assertThat(cpuSeconds("example.spin@1.0.0")).isGreaterThanOrEqualTo(0.3);
  }

  @Test
  void waitingDoesNotCountAsCpuTime() {
    host(
        "sleepy",
        "1.0.0",
        (request, response) -> {
          Thread.sleep(600);
          FakeModule.respond(200, "slept").handle(request, response);
        },
        new ModuleLimits(
            Duration.ofSeconds(30), 4, 8, Duration.ofMillis(200), "max_concurrent_instances = 4"));

    RecordingResponse response = send("sleepy", "1.0.0").await();

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.bodyText()).isEqualTo("slept");
  }

  @Test
  void aStoppedRequestsInterruptDoesNotReachTheNextOnItsThread() {
    dispatcherWith(1, 1L << 30);
    host("sleepy", "1.0.0", spin(), new ModuleLimits(Duration.ofMillis(200), 4, 8));
    host(
        "next",
        "1.0.0",
        (request, response) -> {
          Thread.sleep(100);
          FakeModule.respond(200, "undisturbed").handle(request, response);
        },
        LIMITS);

    assertThat(send("sleepy", "1.0.0").await().status()).isEqualTo(504);
    await().until(() -> dispatcher.inFlight() == 0);

    for (int i = 0; i < 5; i++) {
      RecordingResponse next = send("next", "1.0.0").await();
      assertThat(next.status()).isEqualTo(200);
      assertThat(next.bodyText()).isEqualTo("undisturbed");
    }
  }

  @Test
  void memoryBudgetRefusesAnInstanceThatDoesNotFitAndFreesItWhenTheInstanceEnds() throws Exception {
    // FakeModule instances may grow to 10 MiB: the budget holds one at a time.
    dispatcherWith(4, 15L << 20);
    host("slow", "1.0.0", blockUntilReleased(), LIMITS);
    host("echo", "1.0.0", FakeModule.respond(200, "x"), LIMITS);

    RecordingResponse running = send("slow", "1.0.0");
    await().until(() -> registry.find("example", "slow", "1.0.0").activeInstances() == 1);
    await().until(() -> sample("wr_engine_memory_reserved_bytes") == 10485760);
    RecordingResponse refused = send("echo", "1.0.0").await();

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.header("retry-after")).isEqualTo("1");
    JsonNode body = json(refused);
    assertThat(body.get("code").asText()).isEqualTo("memory_budget_exhausted");
    assertThat(body.get("error").asText())
        .isEqualTo(
            "the engine's memory budget had no room for an instance of module"
                + " example.echo@1.0.0 (10485760 bytes of linear memory) within 300 ms"
                + " (pool.max_total_memory = 15728640, reserved: 10485760)");

    release.countDown();
    assertThat(running.await().status()).isEqualTo(200);
    await().until(() -> sample("wr_engine_memory_reserved_bytes") == 0);
    assertThat(send("echo", "1.0.0").await().status()).isEqualTo(200);
  }

  @Test
  void allGuestThreadsBusyIsA503NamingThePool() throws Exception {
    dispatcherWith(1, 1L << 30);
    host("slow", "1.0.0", blockUntilReleased(), LIMITS);
    host("echo", "1.0.0", FakeModule.respond(200, "x"), LIMITS);

    send("slow", "1.0.0");
    await().until(() -> registry.find("example", "slow", "1.0.0").activeInstances() == 1);
    RecordingResponse refused = send("echo", "1.0.0").await();

    assertThat(refused.status()).isEqualTo(503);
    assertThat(json(refused).get("error").asText())
        .isEqualTo("the engine had no free instance within 300 ms (pool.guest_threads = 1)");
  }

  /** The value of the series {@code name} without labels. */
  private double sample(String name) {
    return dispatcher
        .metricsText()
        .lines()
        .filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
        .findFirst()
        .orElse(Double.NaN);
  }

  private double cpuSeconds(String module) {
    String prefix = "wr_engine_cpu_seconds_total{module=\"" + module + "\"} ";
    return dispatcher
        .metricsText()
        .lines()
        .filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
        .findFirst()
        .orElse(0);
  }
}
