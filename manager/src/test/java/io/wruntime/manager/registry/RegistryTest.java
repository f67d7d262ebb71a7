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
import io.wruntime.manager.grpc.RoutingTablePublisher;
import io.wruntime.manager.grpc.Timestamps;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ModuleRegistration;
import io.wruntime.proto.v1.RegisterEngineResponse;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.RoutingTable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RegistryTest {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");
  private static final ModuleRef ECHO_2 = ref("example", "echo", "2.0.0");
  private static final ModuleRef CALLER = ref("example", "caller", "1.0.0");
  private static final ByteString ECHO_SCHEMA = schema("echo", "EchoService", "Echo");

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final Secrets secrets = new Secrets(clock);
  private final ProtoRegistry registry =
      new ProtoRegistry(
          new Registry(clock, Duration.ofSeconds(10), Duration.ofSeconds(6), secrets));

  private static ModuleRegistration echo() {
    return module(ECHO, ECHO_SCHEMA);
  }

  private static ModuleRegistration caller() {
    return module(CALLER, ByteString.EMPTY);
  }

  private Route onlyRoute() {
    assertThat(registry.routingTable().getRoutesList()).hasSize(1);
    return registry.routingTable().getRoutes(0);
  }

  @Test
  void anEmptyRegistryHasVersionOneAndNoRoutes() {
    assertThat(registry.version()).isEqualTo(1);
    assertThat(registry.routingTable().getRoutesList()).isEmpty();
  }

  @Test
  void registeredRoutesStartUnhealthyAndTurnHealthyWithTheFirstHealthyHeartbeat() {
    RegisterEngineResponse response = registry.register(engine("e1", "node-a", echo()));

    assertThat(response.getRoutingTableVersion()).isEqualTo(2);
    Route route = onlyRoute();
    assertThat(route.getModule()).isEqualTo(ECHO);
    assertThat(route.getEngineId()).isEqualTo("e1");
    assertThat(route.getAddress()).isEqualTo("http://127.0.0.1:9100");
    assertThat(route.getNode()).isEqualTo("node-a");
    assertThat(route.getNodeAddress()).isEqualTo("10.0.0.1:9443");
    assertThat(route.getHealthy()).isFalse();

    long version =
        registry.heartbeat(List.of(heartbeat("e1", ECHO, true))).getRoutingTableVersion();

    assertThat(version).isEqualTo(3);
    assertThat(onlyRoute().getHealthy()).isTrue();
    assertThat(registry.engine("e1").getHealthy()).isTrue();
  }

  @Test
  void aHeartbeatThatChangesNothingKeepsTheVersion() {
    registry.register(engine("e1", "node-a", echo()));
    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    long version = registry.version();

    clock.advance(Duration.ofSeconds(3));
    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));

    assertThat(registry.version()).isEqualTo(version);
  }

  @Test
  void aModuleReportedUnhealthyLosesItsRouteWithTheReportedReason() {
    registry.register(engine("e1", "node-a", echo()));
    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    long version = registry.version();

    registry.heartbeat(List.of(heartbeat("e1", ECHO, false)));

    assertThat(onlyRoute().getHealthy()).isFalse();
    assertThat(registry.version()).isEqualTo(version + 1);
    assertThat(registry.engine("e1").getModules(0).getDetail()).isEqualTo("GET /__health: 503");
  }

  @Test
  void theMonitorMarksAModuleUnhealthyWhenItsHeartbeatIsOlderThanTheModuleTimeout() {
    registry.register(engine("e1", "node-a", echo()));
    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));

    clock.advance(Duration.ofSeconds(6));
    long unchanged = registry.version();
    assertThat(registry.checkHealth()).isFalse();
    assertThat(registry.version()).isEqualTo(unchanged);
    assertThat(onlyRoute().getHealthy()).isTrue();

    // The engine keeps heartbeating but stops reporting the module.
    registry.heartbeat(List.of(EngineHeartbeat.newBuilder().setEngineId("e1").build()));
    clock.advance(Duration.ofSeconds(1));

    assertThat(registry.checkHealth()).isTrue();
    assertThat(registry.version()).isEqualTo(unchanged + 1);
    assertThat(onlyRoute().getHealthy()).isFalse();
    assertThat(registry.engine("e1").getHealthy()).isTrue();
    assertThat(registry.engine("e1").getModules(0).getDetail())
        .isEqualTo(
            "last heartbeat of module example.echo@1.0.0 is 7 s old (expected: at most 6 s)");
  }

  @Test
  void theMonitorMarksEveryRouteOfASilentEngineUnhealthyAfterTheEngineTimeout() {
    ProtoRegistry lenient =
        new ProtoRegistry(
            new Registry(clock, Duration.ofSeconds(10), Duration.ofSeconds(60), secrets));
    lenient.register(engine("e1", "node-a", echo(), caller()));
    lenient.heartbeat(
        List.of(
            heartbeat("e1", ECHO, true).toBuilder()
                .addModules(heartbeat("e1", CALLER, true).getModules(0))
                .build()));
    assertThat(lenient.routingTable().getRoutesList()).allMatch(Route::getHealthy);

    clock.advance(Duration.ofSeconds(11));
    lenient.checkHealth();

    assertThat(lenient.routingTable().getRoutesList()).hasSize(2).noneMatch(Route::getHealthy);
    assertThat(lenient.engine("e1").getHealthy()).isFalse();
    assertThat(lenient.engine("e1").getModules(0).getDetail())
        .contains("engine e1 is 11 s old (expected: at most 10 s)");

    // A fresh engine heartbeat revives every module whose own report is within its timeout.
    lenient.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    assertThat(lenient.routingTable().getRoutesList()).allMatch(Route::getHealthy);
  }

  @Test
  void anOldObservedAtCannotReviveAStaleHeartbeatNorMoveTimesBack() {
    registry.register(engine("e1", "node-a", echo()));
    Instant stale = clock.instant().minusSeconds(30);
    registry.heartbeat(
        List.of(
            heartbeat("e1", ECHO, true).toBuilder().setObservedAt(Timestamps.of(stale)).build()));

    assertThat(onlyRoute().getHealthy()).isFalse();

    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    Instant fresh = clock.instant();
    registry.heartbeat(
        List.of(
            heartbeat("e1", ECHO, false).toBuilder().setObservedAt(Timestamps.of(stale)).build()));

    assertThat(onlyRoute().getHealthy()).isTrue();
    assertThat(Timestamps.toInstant(registry.engine("e1").getLastHeartbeat())).isEqualTo(fresh);
  }

  @Test
  void reRegistrationDropsRoutesOfRemovedModulesAndKeepsTheirSchemas() {
    registry.register(engine("e1", "node-a", echo(), caller()));
    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    long version = registry.version();

    RegisterEngineResponse response =
        registry.register(engine("e1", "node-a", module(ECHO_2, ECHO_SCHEMA)));

    assertThat(response.getRoutingTableVersion()).isEqualTo(version + 1);
    assertThat(registry.routingTable().getRoutesList())
        .extracting(Route::getModule)
        .containsExactly(ECHO_2);
    assertThat(onlyRoute().getHealthy()).isFalse();
    assertThat(registry.schema(ECHO).getFileDescriptorSet()).isEqualTo(ECHO_SCHEMA);
    assertThat(registry.engines("", "")).hasSize(1);
  }

  @Test
  void aDifferentSchemaForAStoredModuleVersionFailsAndStoresNothing() {
    registry.register(engine("e1", "node-a", echo()));
    long version = registry.version();

    assertThatThrownBy(
            () ->
                registry.register(
                    engine(
                        "e2",
                        "node-b",
                        caller(),
                        module(ECHO, schema("echo", "EchoService", "Echo", "Shout")))))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.FAILED_PRECONDITION))
        .hasMessage(
            "modules[1].schema: differs from the schema stored for example.echo@1.0.0 (expected:"
                + " the identical FileDescriptorSet or none; a changed schema needs a new module"
                + " version)");

    assertThat(registry.version()).isEqualTo(version);
    assertThat(registry.engines("", "")).extracting(e -> e.getEngineId()).containsExactly("e1");
    assertThatThrownBy(() -> registry.service("example", "caller"))
        .isInstanceOf(RegistryException.class);
  }

  @Test
  void requestedSecretsAreResolvedFromTheModuleNamespaceOrTheRegistrationFails() {
    ModuleRegistration withSecret = echo().toBuilder().addRequestedSecrets("api-key").build();

    assertThatThrownBy(() -> registry.register(engine("e1", "node-a", withSecret)))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.NOT_FOUND))
        .hasMessageStartingWith(
            "modules[0].requested_secrets: secret \"api-key\" of namespace example does not"
                + " exist");
    assertThat(registry.engines("", "")).isEmpty();
    assertThat(registry.version()).isEqualTo(1);

    secrets.set("other", "api-key", "wrong namespace");
    secrets.set("example", "api-key", "s3cr3t");
    RegisterEngineResponse response = registry.register(engine("e1", "node-a", withSecret));

    assertThat(response.getModules(0).getRef()).isEqualTo(ECHO);
    assertThat(response.getModules(0).getSecretsMap()).containsExactly(entry("api-key", "s3cr3t"));
  }

  private static java.util.Map.Entry<String, String> entry(String key, String value) {
    return java.util.Map.entry(key, value);
  }

  @Test
  void deregistrationTurnsRoutesUnhealthyAtOnceAndLaterHeartbeatsAreIgnored() {
    registry.register(engine("e1", "node-a", echo()));
    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    long version = registry.version();

    assertThat(registry.deregister("e1").getRoutingTableVersion()).isEqualTo(version + 1);
    assertThat(onlyRoute().getHealthy()).isFalse();
    assertThat(registry.engine("e1").getDeregistered()).isTrue();

    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    assertThat(onlyRoute().getHealthy()).isFalse();
    assertThat(registry.version()).isEqualTo(version + 1);

    registry.register(engine("e1", "node-a", echo()));
    assertThat(registry.engine("e1").getDeregistered()).isFalse();
  }

  @Test
  void deregisteringAnUnknownEngineSucceedsWithoutAChange() {
    assertThat(registry.deregister("nobody").getRoutingTableVersion()).isEqualTo(1);
  }

  @Test
  void heartbeatsOfUnknownEnginesAskThemToRegisterAgain() {
    registry.register(engine("e1", "node-a", echo()));

    var response =
        registry.heartbeat(List.of(heartbeat("ghost", ECHO, true), heartbeat("e1", ECHO, true)));

    assertThat(response.getReregisterEngineIdsList()).containsExactly("ghost");
    assertThat(onlyRoute().getHealthy()).isTrue();
  }

  @Test
  void theLastHeartbeatOfAnEngineInOneBatchCounts() {
    registry.register(engine("e1", "node-a", echo()));

    registry.heartbeat(List.of(heartbeat("e1", ECHO, true), heartbeat("e1", ECHO, false)));

    assertThat(onlyRoute().getHealthy()).isFalse();
  }

  @Test
  void removingAnEngineDeletesItsRoutesButTheServiceAndSchemaStay() {
    registry.register(engine("e1", "node-a", echo()));
    long version = registry.removeEngine("e1");

    assertThat(version).isEqualTo(3);
    assertThat(registry.routingTable().getRoutesList()).isEmpty();
    assertThat(registry.engines("", "")).isEmpty();
    assertThat(registry.schema(ECHO).getFileDescriptorSet()).isEqualTo(ECHO_SCHEMA);
    var service = registry.service("example", "echo");
    assertThat(service.getVersionsList()).hasSize(1);
    assertThat(service.getVersions(0).getInstancesList()).isEmpty();
    assertThatThrownBy(() -> registry.removeEngine("e1"))
        .hasMessage("engine \"e1\" is not registered (expected: an id from ListEngines)");
  }

  @Test
  void servicesListVersionsNewestFirstWithMethodsAndInstanceCounts() {
    registry.register(engine("e1", "node-a", echo()));
    registry.register(
        engine("e2", "node-b", module(ref("example", "echo", "1.10.0"), ByteString.EMPTY)));
    registry.register(engine("e3", "node-c", echo()));
    registry.heartbeat(List.of(heartbeat("e3", ECHO, true)));

    var service = registry.service("example", "echo");

    assertThat(service.getVersionsList())
        .extracting(v -> v.getVersion())
        .containsExactly("1.10.0", "1.0.0");
    var v1 = service.getVersions(1);
    assertThat(v1.getHasSchema()).isTrue();
    assertThat(v1.getMethodsList()).containsExactly("/echo.EchoService/Echo");
    assertThat(v1.getInstancesList()).extracting(Route::getEngineId).containsExactly("e1", "e3");
    assertThat(v1.getHealthyInstances()).isEqualTo(1);
    assertThat(service.getVersions(0).getHasSchema()).isFalse();
  }

  @Test
  void rulesAreStoredWithTimeAndHealthyStaticRoutesAndEachWriteBumpsTheVersion() {
    RoutingRule rule =
        RoutingRule.newBuilder()
            .setNamespace("example")
            .setModule("echo")
            .setDefaultVersion("^1")
            .addRoutes(
                Route.newBuilder()
                    .setModule(ECHO)
                    .setNodeAddress("10.9.9.9:9443")
                    .setNode("outside"))
            .build();

    var stored = registry.upsertRule(rule);

    assertThat(stored.getRoutingTableVersion()).isEqualTo(2);
    assertThat(Timestamps.toInstant(stored.getRule().getUpdatedAt())).isEqualTo(clock.instant());
    assertThat(stored.getRule().getRoutes(0).getHealthy()).isTrue();
    assertThat(registry.routingTable().getRulesList()).containsExactly(stored.getRule());
    assertThat(registry.upsertRule(rule).getRoutingTableVersion()).isEqualTo(3);

    assertThat(registry.deleteRule("example", "echo")).isEqualTo(4);
    assertThat(registry.routingTable().getRulesList()).isEmpty();
    assertThatThrownBy(() -> registry.deleteRule("example", "echo"))
        .hasMessageStartingWith("routing rule for example.echo does not exist");
  }

  @Test
  void localizeMarksRoutesOfTheCallersNode() {
    registry.register(engine("e1", "node-a", echo()));
    registry.register(engine("e2", "node-b", echo()));

    RoutingTable forA = RoutingTablePublisher.localize(registry.routingTable(), "node-a");

    assertThat(forA.getRoutesList())
        .extracting(Route::getEngineId, Route::getLocal)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("e1", true),
            org.assertj.core.groups.Tuple.tuple("e2", false));
    assertThat(RoutingTablePublisher.localize(registry.routingTable(), "").getRoutesList())
        .noneMatch(Route::getLocal);
    assertThat(registry.routingTable().getRoutesList()).noneMatch(Route::getLocal);
  }

  @Test
  void listenersRunOnlyWhenTheVersionChanges() {
    AtomicInteger calls = new AtomicInteger();
    registry.addListener(calls::incrementAndGet);

    registry.register(engine("e1", "node-a", echo()));
    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    registry.checkHealth();
    registry.deregister("unknown");

    assertThat(calls).hasValue(2);
    assertThat(registry.version()).isEqualTo(3);
  }

  @Test
  void statsCountEnginesAndRoutesByHealth() {
    registry.register(engine("e1", "node-a", echo(), caller()));
    registry.register(engine("e2", "node-b", echo()));
    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));
    registry.deregister("e2");

    RegistryStats stats = registry.stats();

    assertThat(stats.engines()).isEqualTo(2);
    assertThat(stats.healthyEngines()).isEqualTo(1);
    assertThat(stats.deregisteredEngines()).isEqualTo(1);
    assertThat(stats.routes()).isEqualTo(3);
    assertThat(stats.healthyRoutes()).isEqualTo(1);
    assertThat(stats.schemas()).isEqualTo(1);
    assertThat(stats.services()).isEqualTo(2);
    assertThat(stats.routingTableVersion()).isEqualTo(registry.version());
  }

  @Test
  void anEngineNotHeardFromForTheExpiryTimeIsForgottenWithItsRoutes() {
    registry.register(engine("e1", "node-a", echo()));
    registry.register(engine("e2", "node-a", module(ECHO_2, ECHO_SCHEMA)));
    registry.deregister("e2");
    clock.advance(Duration.ofSeconds(90));
    registry.heartbeat(List.of(heartbeat("e1", ECHO, true)));

    clock.advance(Duration.ofSeconds(11));
    assertThat(registry.checkHealth()).isTrue();

    assertThat(registry.routingTable().getRoutesList())
        .extracting(Route::getEngineId)
        .containsExactly("e1");
    assertThat(registry.engines("", "")).extracting(e -> e.getEngineId()).containsExactly("e1");
    // Forgotten engines are asked to register again, like unknown ones.
    assertThat(
            registry.heartbeat(List.of(heartbeat("e2", ECHO_2, true))).getReregisterEngineIdsList())
        .containsExactly("e2");
  }

  @Test
  void theTableIsIncompleteForTheStartupResyncWindow() {
    ProtoRegistry restarted =
        new ProtoRegistry(
            new Registry(
                clock,
                new RegistryTimeouts(
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(100),
                    Duration.ofSeconds(10)),
                secrets,
                RouteSource.REGISTRATIONS));
    assertThat(restarted.routingTable().getIncomplete()).isTrue();
    restarted.register(engine("e1", "node-a", echo()));
    assertThat(restarted.routingTable().getIncomplete()).isTrue();

    clock.advance(Duration.ofSeconds(10));
    long before = restarted.version();
    assertThat(restarted.checkHealth()).isTrue();

    assertThat(restarted.routingTable().getIncomplete()).isFalse();
    assertThat(restarted.version()).isEqualTo(before + 1);
    assertThat(restarted.routingTable().getRoutesList()).hasSize(1);
  }

  @Test
  void withoutAResyncWindowTheTableIsCompleteAtOnce() {
    assertThat(registry.routingTable().getIncomplete()).isFalse();
  }

  @Test
  void aHeartbeatOfTheDeregisteredIncarnationIsIgnored() {
    registry.register(engine("e1", "node-a", echo()).toBuilder().setIncarnationId("a").build());
    registry.deregister("e1", "a", "node-a");

    assertThat(
            registry
                .heartbeat(
                    List.of(heartbeat("e1", ECHO, true).toBuilder().setIncarnationId("a").build()))
                .getReregisterEngineIdsList())
        .isEmpty();
    assertThat(onlyRoute().getHealthy()).isFalse();
  }

  @Test
  void aDeregistrationNamingNoIncarnationDoesNotSilenceALiveOneForGood() {
    registry.register(engine("e1", "node-a", echo()).toBuilder().setIncarnationId("b").build());
    // An older engine process sharing the id stops: its deregistration names no incarnation.
    registry.deregister("e1");

    assertThat(
            registry
                .heartbeat(
                    List.of(heartbeat("e1", ECHO, true).toBuilder().setIncarnationId("b").build()))
                .getReregisterEngineIdsList())
        .containsExactly("e1");
    registry.register(engine("e1", "node-a", echo()).toBuilder().setIncarnationId("b").build());
    registry.heartbeat(
        List.of(heartbeat("e1", ECHO, true).toBuilder().setIncarnationId("b").build()));
    assertThat(onlyRoute().getHealthy()).isTrue();
  }
}
