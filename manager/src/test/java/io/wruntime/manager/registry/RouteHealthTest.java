package io.wruntime.manager.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouteHealthTest {
  private static final Instant NOW = Instant.parse("2025-01-01T00:01:00Z");
  private static final ModuleKey ECHO = new ModuleKey("example", "echo", "1.0.0");
  private static final RegistryTimeouts TIMEOUTS =
      new RegistryTimeouts(
          Duration.ofSeconds(10), Duration.ofSeconds(6), Duration.ofSeconds(100), Duration.ZERO);

  private static Instant ago(long seconds) {
    return NOW.minusSeconds(seconds);
  }

  private static RouteHealth.EngineReport engine(boolean deregistered, Instant lastHeartbeat) {
    return new RouteHealth.EngineReport("e1", deregistered, lastHeartbeat);
  }

  private static RouteHealth.ModuleReport module(
      Instant lastHeartbeat, boolean healthy, String detail) {
    return new RouteHealth.ModuleReport(ECHO, lastHeartbeat, healthy, detail);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(engine(false, ago(1)), module(ago(1), true, ""), ""),
        Arguments.of(engine(true, ago(1)), module(ago(1), true, ""), "engine e1 deregistered"),
        Arguments.of(
            engine(false, null),
            module(null, false, ""),
            "no heartbeat from engine e1 since it registered"),
        Arguments.of(
            engine(false, ago(11)),
            module(ago(1), true, ""),
            "last heartbeat of engine e1 is 11 s old (expected: at most 10 s)"),
        Arguments.of(
            engine(false, ago(10)),
            module(null, false, ""),
            "no health report since the engine registered"),
        Arguments.of(
            engine(false, ago(1)),
            module(ago(7), true, ""),
            "last heartbeat of module example.echo@1.0.0 is 7 s old (expected: at most 6 s)"),
        Arguments.of(
            engine(false, ago(1)),
            module(ago(1), false, "GET /__health: 503"),
            "GET /__health: 503"),
        Arguments.of(engine(false, ago(1)), module(ago(1), false, ""), "reported unhealthy"));
  }

  @ParameterizedTest(name = "[{index}] problem: \"{2}\"")
  @MethodSource("cases")
  void aRouteIsHealthyOnlyWhenEngineAndModuleAreFreshAndWell(
      RouteHealth.EngineReport engine, RouteHealth.ModuleReport module, String problem) {
    assertThat(RouteHealth.problem(engine, module, NOW, TIMEOUTS)).isEqualTo(problem);
  }

  @Test
  void anEngineIsAliveWhileNotDeregisteredAndItsHeartbeatIsFresh() {
    assertThat(RouteHealth.alive(engine(false, ago(10)), NOW, TIMEOUTS)).isTrue();
    assertThat(RouteHealth.alive(engine(false, ago(11)), NOW, TIMEOUTS)).isFalse();
    assertThat(RouteHealth.alive(engine(true, ago(1)), NOW, TIMEOUTS)).isFalse();
    assertThat(RouteHealth.alive(engine(false, null), NOW, TIMEOUTS)).isFalse();
  }

  @Test
  void anEngineExpiresAfterTheExpiryTime() {
    assertThat(RouteHealth.expired(ago(100), NOW, TIMEOUTS)).isFalse();
    assertThat(RouteHealth.expired(ago(101), NOW, TIMEOUTS)).isTrue();
  }
}
