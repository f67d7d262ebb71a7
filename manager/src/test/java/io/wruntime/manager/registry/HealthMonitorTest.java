package io.wruntime.manager.registry;

import static io.wruntime.manager.Fixtures.engine;
import static io.wruntime.manager.Fixtures.heartbeat;
import static io.wruntime.manager.Fixtures.module;
import static io.wruntime.manager.Fixtures.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.wruntime.manager.MutableClock;
import io.wruntime.manager.ProtoRegistry;
import io.wruntime.proto.v1.ModuleRef;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");

  @Test
  void routesOfASilentEngineTurnUnhealthyWithoutAnyCall() {
    MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    Registry registry =
        new Registry(clock, Duration.ofSeconds(10), Duration.ofSeconds(10), new Secrets(clock));
    ProtoRegistry proto = new ProtoRegistry(registry);
    proto.register(engine("e1", "node-a", module(ECHO, ByteString.EMPTY)));
    proto.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    long version = registry.version();

    try (HealthMonitor monitor = new HealthMonitor(registry, Duration.ofMillis(20)).start()) {
      clock.advance(Duration.ofSeconds(11));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !registry.routingTable().routes().get(0).healthy());
    }
    assertThat(registry.version()).isEqualTo(version + 1);
  }
}
