package io.wruntime.manager.registry;

import static io.wruntime.manager.Fixtures.engine;
import static io.wruntime.manager.Fixtures.heartbeat;
import static io.wruntime.manager.Fixtures.module;
import static io.wruntime.manager.Fixtures.ref;
import static io.wruntime.manager.Fixtures.schema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.wruntime.manager.MutableClock;
import io.wruntime.manager.ProtoRegistry;
import io.wruntime.manager.grpc.ProtoMapping;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.Route;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry in cluster mode: routes only from {@link Registry#syncCluster}. */
class ClusterRegistryTest {
  private static final ModuleRef ECHO = ref("shop", "echo", "1.0.0");
  private static final ModuleKey ECHO_1 = ProtoMapping.key(ECHO);
  private static final ModuleKey ECHO_2 = new ModuleKey("shop", "echo", "2.0.0");
  private static final ByteString SCHEMA_1 = schema("echo.v1", "Echo", "Say");
  private static final ByteString SCHEMA_2 = schema("echo.v1", "Echo", "Say", "Shout");
  private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(START);
  private final ProtoRegistry registry =
      new ProtoRegistry(
          new Registry(
              clock,
              Duration.ofSeconds(10),
              Duration.ofSeconds(10),
              new Secrets(clock),
              RouteSource.CLUSTER));

  private static ClusterRoute route(ModuleKey module, String pod, boolean healthy) {
    return new ClusterRoute(
        module, pod, "127.0.0.1:9100", pod, "10.0.0.1:9443", healthy, healthy ? "" : "not ready");
  }

  @Test
  void theTableIsTheClusterRoutesWithVersionsFromTheClock() {
    boolean changed =
        registry.syncCluster(
            List.of(route(ECHO_1, "echo-b", false), route(ECHO_1, "echo-a", true)),
            Map.of(ECHO_1, Schema.parse(SCHEMA_1)));

    assertThat(changed).isTrue();
    assertThat(registry.version()).isEqualTo(START.toEpochMilli());
    assertThat(registry.routingTable().getRoutesList())
        .containsExactly(
            Route.newBuilder()
                .setModule(ECHO)
                .setEngineId("echo-a")
                .setAddress("127.0.0.1:9100")
                .setNode("echo-a")
                .setNodeAddress("10.0.0.1:9443")
                .setHealthy(true)
                .build(),
            Route.newBuilder()
                .setModule(ECHO)
                .setEngineId("echo-b")
                .setAddress("127.0.0.1:9100")
                .setNode("echo-b")
                .setNodeAddress("10.0.0.1:9443")
                .setHealthy(false)
                .build());
    assertThat(registry.schema(ECHO).getFileDescriptorSet()).isEqualTo(SCHEMA_1);
    assertThat(registry.service("shop", "echo").getVersions(0).getHealthyInstances()).isEqualTo(1);
  }

  @Test
  void theSameRoutesAgainDoNotBumpTheVersionAndAChangeBumpsItByAtLeastOne() {
    registry.syncCluster(List.of(route(ECHO_1, "echo-a", true)), Map.of());
    long first = registry.version();

    assertThat(registry.syncCluster(List.of(route(ECHO_1, "echo-a", true)), Map.of())).isFalse();
    assertThat(registry.version()).isEqualTo(first);

    // Even with the clock standing still (or going back), the version only grows.
    clock.set(START.minusSeconds(60));
    assertThat(registry.syncCluster(List.of(route(ECHO_1, "echo-a", false)), Map.of())).isTrue();
    assertThat(registry.version()).isEqualTo(first + 1);
  }

  @Test
  void aSchemaStaysAfterTheClusterNoLongerShowsIt() {
    registry.syncCluster(List.of(), Map.of(ECHO_1, Schema.parse(SCHEMA_1)));
    registry.syncCluster(List.of(), Map.of(ECHO_2, Schema.parse(SCHEMA_2)));

    assertThat(registry.schema(ECHO).getFileDescriptorSet()).isEqualTo(SCHEMA_1);
    assertThat(registry.schema(ProtoMapping.ref(ECHO_2)).getFileDescriptorSet())
        .isEqualTo(SCHEMA_2);
    assertThat(registry.service("shop", "echo").getVersionsList())
        .extracting(v -> v.getVersion())
        .containsExactly("2.0.0", "1.0.0");
  }

  @Test
  void registeredEnginesAreListedButAddNoRouteAndNoVersion() {
    registry.syncCluster(List.of(route(ECHO_1, "echo-a", true)), Map.of());
    long version = registry.version();

    var response = registry.register(engine("e1", "echo-a", module(ECHO, SCHEMA_2)));
    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    clock.advance(Duration.ofMinutes(1));
    registry.checkHealth();
    registry.deregister("e1");

    assertThat(response.getRoutingTableVersion()).isEqualTo(version);
    assertThat(registry.version()).isEqualTo(version);
    assertThat(registry.routingTable().getRoutesList())
        .extracting(Route::getEngineId)
        .containsExactly("echo-a");
    assertThat(registry.engines("", "")).extracting(e -> e.getEngineId()).containsExactly("e1");
    assertThatThrownBy(() -> registry.schema(ECHO))
        .as("an engine's own schema is not stored in cluster mode")
        .isInstanceOf(RegistryException.class);
  }

  @Test
  void aRegistryFedByRegistrationsRefusesClusterRoutes() {
    Registry registrations =
        new Registry(clock, Duration.ofSeconds(10), Duration.ofSeconds(10), new Secrets(clock));

    assertThatThrownBy(() -> registrations.syncCluster(List.of(), Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "syncCluster on a registry whose routes come from REGISTRATIONS (expected: CLUSTER)");
  }
}
