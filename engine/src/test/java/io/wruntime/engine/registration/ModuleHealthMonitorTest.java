package io.wruntime.engine.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.wruntime.common.testing.LogLines;
import io.wruntime.engine.dispatch.Dispatcher;
import io.wruntime.engine.dispatch.FakeModule;
import io.wruntime.engine.dispatch.HostedModule;
import io.wruntime.engine.dispatch.ModuleLimits;
import io.wruntime.engine.dispatch.ModuleRegistry;
import io.wruntime.engine.module.GuestException;
import io.wruntime.proto.v1.ModuleHealth;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ModuleHealthMonitorTest {
  private static final ModuleLimits LIMITS = new ModuleLimits(Duration.ofSeconds(5), 4, 8);

  @RegisterExtension final LogLines log = new LogLines(ModuleHealthMonitor.class);
  private final ModuleRegistry registry = new ModuleRegistry();
  private final Dispatcher dispatcher = new Dispatcher(registry, 100);
  private ModuleHealthMonitor monitor;

  @AfterEach
  void stop() throws InterruptedException {
    if (monitor != null) {
      monitor.close();
    }
    dispatcher.shutdown(Duration.ofSeconds(1));
  }

  private HostedModule host(String name, FakeModule.Behavior behavior) {
    HostedModule m =
        HostedModule.ready(
            "example", name, "1.0.0", new FakeModule("example", name, "1.0.0", behavior), LIMITS);
    registry.add(m);
    return m;
  }

  private ModuleHealthMonitor monitor(Duration timeout) {
    monitor = new ModuleHealthMonitor(dispatcher, registry.all(), Duration.ofHours(1), timeout);
    return monitor;
  }

  private Map<String, ModuleHealth> byName() {
    return monitor.report().stream().collect(Collectors.toMap(h -> h.getRef().getName(), h -> h));
  }

  @Test
  void aTwoHundredIsHealthyAndAnythingElseSaysWhy() {
    AtomicReference<String> path = new AtomicReference<>();
    host(
        "ok",
        (request, response) -> {
          path.set(request.method() + " " + request.pathWithQuery());
          FakeModule.respond(204, "").handle(request, response);
        });
    host("down", FakeModule.respond(503, "database\tdown\n"));
    host("trapping", FakeModule.failing(GuestException.Kind.TRAP, "unreachable"));
    monitor(Duration.ofSeconds(5)).start();

    await().atMost(Duration.ofSeconds(5)).until(() -> monitor.report().size() == 3);

    Map<String, ModuleHealth> health = byName();
    assertThat(path.get()).isEqualTo("GET /__health");
    assertThat(health.get("ok").getHealthy()).isTrue();
    assertThat(health.get("ok").getDetail()).isEmpty();
    assertThat(health.get("ok").getRef().getNamespace()).isEqualTo("example");
    assertThat(health.get("ok").getRef().getVersion()).isEqualTo("1.0.0");
    assertThat(health.get("down").getHealthy()).isFalse();
    assertThat(health.get("down").getDetail()).isEqualTo("GET /__health: 503 database down");
    assertThat(health.get("trapping").getHealthy()).isFalse();
    assertThat(health.get("trapping").getDetail())
        .startsWith("GET /__health: 500 {")
        .contains("module example.trapping@1.0.0 trapped: unreachable");
    assertThat(monitor.report().stream().map(h -> h.getRef().getName()))
        .containsExactly("ok", "down", "trapping");
  }

  @Test
  void aModuleThatDoesNotAnswerInTimeIsUnhealthyAndNotProbedAgainWhileStuck() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HostedModule stuck =
        host(
            "stuck",
            (request, response) -> {
              calls.incrementAndGet();
              Thread.sleep(Long.MAX_VALUE);
            });
    monitor(Duration.ofMillis(200));

    monitor.probe(stuck);
    await().atMost(Duration.ofSeconds(5)).until(() -> !monitor.report().isEmpty());
    monitor.probe(stuck);
    monitor.probe(stuck);

    assertThat(monitor.report())
        .containsExactly(
            ModuleHealth.newBuilder()
                .setRef(ModuleRegistrations.ref(stuck))
                .setHealthy(false)
                .setDetail("GET /__health: no answer within 200 ms")
                .build());
    assertThat(calls.get()).isEqualTo(1);
    assertThat(stuck.activeInstances()).isEqualTo(1);
  }

  @Test
  void logsOnlyChangesOfHealth() {
    AtomicInteger status = new AtomicInteger(200);
    HostedModule flaky =
        host(
            "flaky",
            (request, response) -> FakeModule.respond(status.get(), "").handle(request, response));
    monitor(Duration.ofSeconds(5));

    probeAndAwait(flaky, true);
    status.set(500);
    probeAndAwait(flaky, false);
    probeAndAwait(flaky, false);
    status.set(200);
    probeAndAwait(flaky, true);

    assertThat(log.at(Level.WARN))
        .containsExactly("module example.flaky@1.0.0 is unhealthy: GET /__health: 500");
    assertThat(log.at(Level.INFO)).containsExactly("module example.flaky@1.0.0 is healthy again");
  }

  private void probeAndAwait(HostedModule module, boolean healthy) {
    List<ModuleHealth> previous = monitor.report();
    monitor.probe(module);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                !monitor.report().isEmpty()
                    && monitor.report().get(0).getHealthy() == healthy
                    && (previous.isEmpty() || monitor.report().get(0) != previous.get(0)));
  }
}
