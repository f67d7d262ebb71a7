package io.wruntime.manager.grpc;

import static io.wruntime.manager.Fixtures.engine;
import static io.wruntime.manager.Fixtures.heartbeat;
import static io.wruntime.manager.Fixtures.module;
import static io.wruntime.manager.Fixtures.ref;
import static io.wruntime.manager.Fixtures.schema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.manager.Manager;
import io.wruntime.manager.MutableClock;
import io.wruntime.manager.TestCallers;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.proto.v1.DeleteRoutingRuleRequest;
import io.wruntime.proto.v1.DeleteScheduleRequest;
import io.wruntime.proto.v1.DeleteSecretRequest;
import io.wruntime.proto.v1.DeregisterEngineRequest;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.EngineInfo;
import io.wruntime.proto.v1.GetEngineRequest;
import io.wruntime.proto.v1.GetRoutingTableRequest;
import io.wruntime.proto.v1.GetRoutingTableResponse;
import io.wruntime.proto.v1.GetSchemaRequest;
import io.wruntime.proto.v1.GetServiceRequest;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.HeartbeatResponse;
import io.wruntime.proto.v1.ListEnginesRequest;
import io.wruntime.proto.v1.ListManagersRequest;
import io.wruntime.proto.v1.ListSchedulesRequest;
import io.wruntime.proto.v1.ListSecretsRequest;
import io.wruntime.proto.v1.ListServicesRequest;
import io.wruntime.proto.v1.ManagerInfo;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.ManagerServiceGrpc.ManagerServiceBlockingStub;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ModuleRegistration;
import io.wruntime.proto.v1.NodeInfo;
import io.wruntime.proto.v1.RegisterEngineRequest;
import io.wruntime.proto.v1.RegisterEngineResponse;
import io.wruntime.proto.v1.RemoveEngineRequest;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.SecretKey;
import io.wruntime.proto.v1.ServiceInfo;
import io.wruntime.proto.v1.SetSecretRequest;
import io.wruntime.proto.v1.UpsertRoutingRuleRequest;
import io.wruntime.proto.v1.UpsertRoutingRuleResponse;
import io.wruntime.proto.v1.UpsertScheduleRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every ManagerService call over gRPC's in-process transport. */
class ManagerServiceTest {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");
  private static final ByteString ECHO_SCHEMA = schema("echo", "EchoService", "Echo");

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private Manager manager;
  private ManagedChannel channel;
  private ManagerServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    manager =
        Manager.start(
            ManagerConfig.parse("test.toml", "listen_address = \"127.0.0.1:0\""),
            InProcessServerBuilder.forName(name)
                .directExecutor()
                .intercept(TestCallers.fromHeader()),
            clock);
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = ManagerServiceGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    manager.stop(Duration.ofSeconds(5));
  }

  private static void assertStatus(
      ThrowingCallable call, Status.Code code, String descriptionStart) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).startsWith(descriptionStart);
            });
  }

  private RegisterEngineResponse registerEcho(String engineId, String node) {
    return stub.registerEngine(engine(engineId, node, module(ECHO, ECHO_SCHEMA)));
  }

  @Test
  void registerEngineStoresTheEngineWithUnhealthyRoutes() {
    RegisterEngineResponse response = registerEcho("e1", "node-a");

    assertThat(response.getRoutingTableVersion()).isEqualTo(2);
    assertThat(response.getModulesList()).extracting(g -> g.getRef()).containsExactly(ECHO);
    EngineInfo info =
        stub.getEngine(GetEngineRequest.newBuilder().setEngineId("e1").build()).getEngine();
    assertThat(info.getNode().getName()).isEqualTo("node-a");
    assertThat(info.getEngineAddress()).isEqualTo("http://127.0.0.1:9100");
    assertThat(info.getHealthy()).isFalse();
    assertThat(info.hasLastHeartbeat()).isFalse();
    assertThat(info.getModules(0).getHasSchema()).isTrue();
    assertThat(info.getModules(0).getHealthy()).isFalse();
    assertThat(Instant.ofEpochSecond(info.getRegisteredAt().getSeconds()))
        .isEqualTo(clock.instant());
  }

  static Stream<Arguments> invalidRegistrations() {
    RegisterEngineRequest valid = engine("e1", "node-a", module(ECHO, ECHO_SCHEMA));
    return Stream.of(
        invalid(
            "no engine id",
            valid.toBuilder().clearEngineId().build(),
            "engine_id: is empty (expected: the engine's stable id, e.g. its pod name)"),
        invalid(
            "engine id with a space",
            valid.toBuilder().setEngineId("my engine").build(),
            "engine_id: \"my engine\" is not a valid engine id (expected: 1-253 characters"),
        invalid(
            "no engine address",
            valid.toBuilder().clearEngineAddress().build(),
            "engine_address: is empty (expected: the engine's HTTP listener as host:port or"
                + " http://host:port"),
        invalid(
            "engine address without port",
            valid.toBuilder().setEngineAddress("http://127.0.0.1").build(),
            "engine_address: \"http://127.0.0.1\" has no port (expected: host:port or"
                + " http://host:port"),
        invalid(
            "proxy address with a scheme",
            valid.toBuilder()
                .setNode(
                    NodeInfo.newBuilder().setName("n").setProxyAddress("https://10.0.0.1:9443"))
                .build(),
            "node.proxy_address: \"https://10.0.0.1:9443\" is a URL (expected: host:port, e.g."
                + " 127.0.0.1:9000, without scheme)"),
        invalid(
            "module without ref",
            valid.toBuilder().setModules(0, ModuleRegistration.newBuilder()).build(),
            "modules[0].ref: is missing (expected: namespace, name and version)"),
        invalid(
            "uppercase namespace",
            valid.toBuilder()
                .setModules(0, module(ref("Example", "echo", "1.0.0"), ByteString.EMPTY))
                .build(),
            "modules[0].ref.namespace: \"Example\" is not a valid name (expected: lowercase"
                + " letters, digits and '-'"),
        invalid(
            "name too long",
            valid.toBuilder()
                .setModules(0, module(ref("example", "a".repeat(25), "1.0.0"), ByteString.EMPTY))
                .build(),
            "modules[0].ref.name: \""
                + "a".repeat(25)
                + "\" has 25 characters (expected: at most"
                + " 24)"),
        invalid(
            "version that is no semver",
            valid.toBuilder()
                .setModules(0, module(ref("example", "echo", "abc"), ByteString.EMPTY))
                .build(),
            "modules[0].ref.version: \"abc\" is not a semantic version (expected: MAJOR.MINOR.PATCH"),
        invalid(
            "empty version",
            valid.toBuilder()
                .setModules(0, module(ref("example", "echo", ""), ByteString.EMPTY))
                .build(),
            "modules[0].ref.version: is empty (expected: a semantic version such as 1.2.0)"),
        invalid(
            "module listed twice",
            valid.toBuilder().addModules(module(ECHO, ByteString.EMPTY)).build(),
            "modules[1].ref: example.echo@1.0.0 is listed twice, also as modules[0] (expected:"
                + " each module version once)"),
        invalid(
            "schema that is no FileDescriptorSet",
            valid.toBuilder()
                .setModules(0, module(ECHO, ByteString.copyFromUtf8("not a schema")))
                .build(),
            "modules[0].schema: 12 bytes that do not parse as a google.protobuf.FileDescriptorSet"),
        invalid(
            "bad secret key",
            valid.toBuilder()
                .setModules(
                    0, module(ECHO, ECHO_SCHEMA).toBuilder().addRequestedSecrets("a b").build())
                .build(),
            "modules[0].requested_secrets[0]: \"a b\" is not a valid secret key (expected: 1-128"));
  }

  private static Arguments invalid(String what, RegisterEngineRequest request, String message) {
    return Arguments.of(what, request, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRegistrations")
  void malformedRegistrationsAreRejectedNamingTheField(
      String what, RegisterEngineRequest request, String description) {
    assertStatus(() -> stub.registerEngine(request), Status.Code.INVALID_ARGUMENT, description);
    assertThat(stub.listEngines(ListEnginesRequest.getDefaultInstance()).getEnginesList())
        .isEmpty();
  }

  @Test
  void aChangedSchemaForARegisteredVersionIsAFailedPrecondition() {
    registerEcho("e1", "node-a");

    assertStatus(
        () ->
            stub.registerEngine(
                engine("e2", "node-b", module(ECHO, schema("echo", "EchoService", "Other")))),
        Status.Code.FAILED_PRECONDITION,
        "modules[0].schema: differs from the schema stored for example.echo@1.0.0");
  }

  @Test
  void aMissingRequestedSecretIsNotFoundAndAPresentOneIsGranted() {
    RegisterEngineRequest request =
        engine(
            "e1",
            "node-a",
            module(ECHO, ECHO_SCHEMA).toBuilder().addRequestedSecrets("api-key").build());
    assertStatus(
        () -> stub.registerEngine(request),
        Status.Code.NOT_FOUND,
        "modules[0].requested_secrets: secret \"api-key\" of namespace example does not exist");

    stub.setSecret(
        SetSecretRequest.newBuilder()
            .setNamespace("example")
            .setKey("api-key")
            .setValue("v")
            .build());

    assertThat(stub.registerEngine(request).getModules(0).getSecretsMap())
        .containsExactly(entry("api-key", "v"));
  }

  @Test
  void heartbeatsMakeRoutesHealthyAndUnknownEnginesAreAskedToRegister() {
    registerEcho("e1", "node-a");

    HeartbeatResponse response =
        stub.heartbeat(
            HeartbeatRequest.newBuilder()
                .addHeartbeats(heartbeat("e1", ECHO, true))
                .addHeartbeats(heartbeat("gone", ECHO, true))
                .build());

    assertThat(response.getReregisterEngineIdsList()).containsExactly("gone");
    assertThat(response.getRoutingTableVersion()).isEqualTo(3);
    assertThat(table(0, "").getTable().getRoutes(0).getHealthy()).isTrue();
  }

  @Test
  void aHeartbeatWithoutEngineIdIsInvalid() {
    assertStatus(
        () ->
            stub.heartbeat(
                HeartbeatRequest.newBuilder()
                    .addHeartbeats(EngineHeartbeat.getDefaultInstance())
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "heartbeats[0].engine_id: is empty");
  }

  @Test
  void staleHeartbeatsTurnRoutesUnhealthyOnTheNextHealthCheck() {
    registerEcho("e1", "node-a");
    stub.heartbeat(
        HeartbeatRequest.newBuilder().addHeartbeats(heartbeat("e1", ECHO, true)).build());

    clock.advance(Duration.ofSeconds(11));
    manager.registry().checkHealth();

    Route route = table(0, "").getTable().getRoutes(0);
    assertThat(route.getHealthy()).isFalse();
    EngineInfo info =
        stub.getEngine(GetEngineRequest.newBuilder().setEngineId("e1").build()).getEngine();
    assertThat(info.getHealthy()).isFalse();
    assertThat(info.getModules(0).getDetail()).contains("is 11 s old (expected: at most 10 s)");
  }

  @Test
  void deregisterTurnsRoutesUnhealthyAndIsIdempotent() {
    registerEcho("e1", "node-a");
    stub.heartbeat(
        HeartbeatRequest.newBuilder().addHeartbeats(heartbeat("e1", ECHO, true)).build());

    long version =
        stub.deregisterEngine(DeregisterEngineRequest.newBuilder().setEngineId("e1").build())
            .getRoutingTableVersion();

    assertThat(version).isEqualTo(4);
    assertThat(table(0, "").getTable().getRoutes(0).getHealthy()).isFalse();
    assertThat(
            stub.deregisterEngine(
                    DeregisterEngineRequest.newBuilder().setEngineId("nobody").build())
                .getRoutingTableVersion())
        .isEqualTo(4);
    assertStatus(
        () -> stub.deregisterEngine(DeregisterEngineRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "engine_id: is empty (expected: the id the engine registered with)");
  }

  @Test
  void getRoutingTableReturnsNothingWhenTheCallerIsCurrentAndMarksLocalRoutes() {
    registerEcho("e1", "node-a");
    registerEcho("e2", "node-b");

    GetRoutingTableResponse full = table(0, "node-b");
    assertThat(full.getVersion()).isEqualTo(3);
    assertThat(full.getTable().getVersion()).isEqualTo(3);
    assertThat(full.getTable().getRoutesList())
        .extracting(Route::getEngineId, Route::getLocal)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("e1", false),
            org.assertj.core.groups.Tuple.tuple("e2", true));

    GetRoutingTableResponse current = table(3, "node-b");
    assertThat(current.hasTable()).isFalse();
    assertThat(current.getVersion()).isEqualTo(3);

    // A caller ahead of us saw another registry (e.g. before a restart): it gets the table.
    assertThat(table(99, "").hasTable()).isTrue();
  }

  private GetRoutingTableResponse table(long known, String node) {
    return stub.getRoutingTable(
        GetRoutingTableRequest.newBuilder().setKnownVersion(known).setNode(node).build());
  }

  @Test
  void routingRulesAreUpsertedIntoTheTableAndDeleted() {
    RoutingRule rule =
        RoutingRule.newBuilder()
            .setNamespace("example")
            .setModule("echo")
            .setDefaultVersion(">=1.0.0, <2.0.0")
            .addRoutes(Route.newBuilder().setModule(ECHO).setNodeAddress("10.1.1.1:9443"))
            .build();

    UpsertRoutingRuleResponse stored =
        stub.upsertRoutingRule(UpsertRoutingRuleRequest.newBuilder().setRule(rule).build());

    assertThat(stored.getRoutingTableVersion()).isEqualTo(2);
    assertThat(stored.getRule().hasUpdatedAt()).isTrue();
    assertThat(stored.getRule().getRoutes(0).getHealthy()).isTrue();
    assertThat(table(0, "").getTable().getRulesList()).containsExactly(stored.getRule());

    long version =
        stub.deleteRoutingRule(
                DeleteRoutingRuleRequest.newBuilder()
                    .setNamespace("example")
                    .setModule("echo")
                    .build())
            .getRoutingTableVersion();
    assertThat(version).isEqualTo(3);
    assertThat(table(0, "").getTable().getRulesList()).isEmpty();
    assertStatus(
        () ->
            stub.deleteRoutingRule(
                DeleteRoutingRuleRequest.newBuilder()
                    .setNamespace("example")
                    .setModule("echo")
                    .build()),
        Status.Code.NOT_FOUND,
        "routing rule for example.echo does not exist");
  }

  static Stream<Arguments> invalidRules() {
    RoutingRule valid = RoutingRule.newBuilder().setNamespace("example").setModule("echo").build();
    Route route = Route.newBuilder().setModule(ECHO).setNodeAddress("10.1.1.1:9443").build();
    return Stream.of(
        Arguments.of(
            "no rule",
            UpsertRoutingRuleRequest.getDefaultInstance(),
            "rule: is missing (expected: a rule with namespace and module)"),
        Arguments.of(
            "no module",
            rule(valid.toBuilder().clearModule().build()),
            "rule.module: is empty (expected: 1-24 characters of [a-z0-9-])"),
        Arguments.of(
            "default version that is no requirement",
            rule(valid.toBuilder().setDefaultVersion("latest").build()),
            "rule.default_version: \"latest\" is not a version requirement (expected: e.g. ^1.2"),
        Arguments.of(
            "route of another module",
            rule(
                valid.toBuilder()
                    .addRoutes(route.toBuilder().setModule(ref("example", "other", "1.0.0")))
                    .build()),
            "rule.routes[0].module: example.other@1.0.0 is not a version of example.echo"),
        Arguments.of(
            "route with a version requirement",
            rule(
                valid.toBuilder()
                    .addRoutes(route.toBuilder().setModule(ref("example", "echo", "^1")))
                    .build()),
            "rule.routes[0].module.version: \"^1\" is not a semantic version"),
        Arguments.of(
            "route with an engine",
            rule(valid.toBuilder().addRoutes(route.toBuilder().setEngineId("e1")).build()),
            "rule.routes[0].engine_id: \"e1\" (expected: empty; static routes belong to no"
                + " engine)"),
        Arguments.of(
            "route without address",
            rule(valid.toBuilder().addRoutes(route.toBuilder().clearNodeAddress()).build()),
            "rule.routes[0]: has neither address nor node_address"),
        Arguments.of(
            "route with a bad port",
            rule(
                valid.toBuilder()
                    .addRoutes(route.toBuilder().setNodeAddress("10.1.1.1:70000"))
                    .build()),
            "rule.routes[0].node_address: \"10.1.1.1:70000\" has port 70000 (expected: a port"
                + " from 0 to 65535)"));
  }

  private static UpsertRoutingRuleRequest rule(RoutingRule rule) {
    return UpsertRoutingRuleRequest.newBuilder().setRule(rule).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRules")
  void malformedRulesAreRejectedNamingTheField(
      String what, UpsertRoutingRuleRequest request, String description) {
    assertStatus(() -> stub.upsertRoutingRule(request), Status.Code.INVALID_ARGUMENT, description);
    assertThat(table(0, "").getVersion()).isEqualTo(1);
  }

  @Test
  void getSchemaReturnsTheRegisteredBytesOrNotFoundNamingTheModule() {
    registerEcho("e1", "node-a");
    stub.registerEngine(
        engine("e2", "node-a", module(ref("example", "caller", "1.0.0"), ByteString.EMPTY)));

    assertThat(
            stub.getSchema(GetSchemaRequest.newBuilder().setModule(ECHO).build())
                .getFileDescriptorSet())
        .isEqualTo(ECHO_SCHEMA);
    assertStatus(
        () ->
            stub.getSchema(
                GetSchemaRequest.newBuilder().setModule(ref("example", "echo", "9.9.9")).build()),
        Status.Code.NOT_FOUND,
        "no schema for example.echo@9.9.9: the module version was never registered");
    assertStatus(
        () ->
            stub.getSchema(
                GetSchemaRequest.newBuilder().setModule(ref("example", "caller", "1.0.0")).build()),
        Status.Code.NOT_FOUND,
        "no schema for example.caller@1.0.0: the module version was registered without a schema");
    assertStatus(
        () -> stub.getSchema(GetSchemaRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "module: is missing");
  }

  @Test
  void listEnginesFiltersByNodeAndNamespaceAndOrdersById() {
    registerEcho("e2", "node-b");
    registerEcho("e1", "node-a");
    stub.registerEngine(
        engine("e3", "node-a", module(ref("shop", "inventory", "1.0.0"), ByteString.EMPTY)));

    assertThat(ids(ListEnginesRequest.getDefaultInstance())).containsExactly("e1", "e2", "e3");
    assertThat(ids(ListEnginesRequest.newBuilder().setNode("node-a").build()))
        .containsExactly("e1", "e3");
    assertThat(ids(ListEnginesRequest.newBuilder().setNamespace("shop").build()))
        .containsExactly("e3");
    assertStatus(
        () -> stub.listEngines(ListEnginesRequest.newBuilder().setNamespace("Shop").build()),
        Status.Code.INVALID_ARGUMENT,
        "namespace: \"Shop\" is not a valid name");
  }

  private Stream<String> ids(ListEnginesRequest request) {
    return stub.listEngines(request).getEnginesList().stream().map(EngineInfo::getEngineId);
  }

  @Test
  void getAndRemoveEngineAnswerNotFoundForUnknownIds() {
    registerEcho("e1", "node-a");

    assertStatus(
        () -> stub.getEngine(GetEngineRequest.newBuilder().setEngineId("e9").build()),
        Status.Code.NOT_FOUND,
        "engine \"e9\" is not registered (expected: an id from ListEngines)");
    assertThat(
            stub.removeEngine(RemoveEngineRequest.newBuilder().setEngineId("e1").build())
                .getRoutingTableVersion())
        .isEqualTo(3);
    assertThat(table(0, "").getTable().getRoutesList()).isEmpty();
    assertStatus(
        () -> stub.removeEngine(RemoveEngineRequest.newBuilder().setEngineId("e1").build()),
        Status.Code.NOT_FOUND,
        "engine \"e1\" is not registered");
  }

  @Test
  void servicesAreListedPerNamespaceAndModuleWithTheirRule() {
    registerEcho("e1", "node-a");
    stub.registerEngine(
        engine("e2", "node-a", module(ref("shop", "inventory", "1.0.0"), ByteString.EMPTY)));
    stub.upsertRoutingRule(
        rule(
            RoutingRule.newBuilder()
                .setNamespace("example")
                .setModule("echo")
                .setDefaultVersion("^1")
                .build()));

    assertThat(stub.listServices(ListServicesRequest.getDefaultInstance()).getServicesList())
        .extracting(s -> s.getNamespace() + "." + s.getName())
        .containsExactly("example.echo", "shop.inventory");
    assertThat(
            stub.listServices(ListServicesRequest.newBuilder().setNamespace("shop").build())
                .getServicesCount())
        .isEqualTo(1);

    ServiceInfo echo =
        stub.getService(
                GetServiceRequest.newBuilder().setNamespace("example").setName("echo").build())
            .getService();
    assertThat(echo.getRule().getDefaultVersion()).isEqualTo("^1");
    assertThat(echo.getVersions(0).getMethodsList()).containsExactly("/echo.EchoService/Echo");
    assertThat(echo.getVersions(0).getInstancesCount()).isEqualTo(1);
    assertStatus(
        () ->
            stub.getService(
                GetServiceRequest.newBuilder().setNamespace("example").setName("nope").build()),
        Status.Code.NOT_FOUND,
        "service example.nope is not registered (no engine ever registered it)");
  }

  @Test
  void secretsAreSetListedByKeyOnlyAndDeleted() {
    SetSecretRequest set =
        SetSecretRequest.newBuilder().setNamespace("shop").setKey("db-url").setValue("x").build();
    assertThat(stub.setSecret(set).getCreated()).isTrue();
    assertThat(stub.setSecret(set.toBuilder().setValue("y").build()).getCreated()).isFalse();

    assertThat(stub.listSecrets(ListSecretsRequest.getDefaultInstance()).getSecretsList())
        .singleElement()
        .satisfies(
            key -> {
              assertThat(key.getNamespace()).isEqualTo("shop");
              assertThat(key.getKey()).isEqualTo("db-url");
              assertThat(key.hasUpdatedAt()).isTrue();
              assertThat(key.toString()).doesNotContain("\"y\"");
            });
    assertThat(
            stub.listSecrets(ListSecretsRequest.newBuilder().setNamespace("other").build())
                .getSecretsList())
        .isEmpty();

    stub.deleteSecret(
        DeleteSecretRequest.newBuilder().setNamespace("shop").setKey("db-url").build());
    assertThat(stub.listSecrets(ListSecretsRequest.getDefaultInstance()).getSecretsList())
        .extracting(SecretKey::getKey)
        .isEmpty();
    assertStatus(
        () ->
            stub.deleteSecret(
                DeleteSecretRequest.newBuilder().setNamespace("shop").setKey("db-url").build()),
        Status.Code.NOT_FOUND,
        "secret \"db-url\" of namespace shop does not exist");
  }

  @Test
  void reservedSecretKeysAreRejected() {
    assertStatus(
        () ->
            stub.setSecret(
                SetSecretRequest.newBuilder().setNamespace("shop").setKey("__db").build()),
        Status.Code.INVALID_ARGUMENT,
        "key: \"__db\" starts with \"__\", which is reserved for wruntime");
  }

  @Test
  void schedulesAreUnimplementedWithAReason() {
    Consumer<ThrowingCallable> unimplemented =
        call ->
            assertStatus(
                call,
                Status.Code.UNIMPLEMENTED,
                "schedules are not available: they need the manager's PostgreSQL store");
    unimplemented.accept(() -> stub.upsertSchedule(UpsertScheduleRequest.getDefaultInstance()));
    unimplemented.accept(() -> stub.deleteSchedule(DeleteScheduleRequest.getDefaultInstance()));
    unimplemented.accept(() -> stub.listSchedules(ListSchedulesRequest.getDefaultInstance()));
  }

  @Test
  void listManagersListsOnlyThisManager() {
    var managers = stub.listManagers(ListManagersRequest.getDefaultInstance()).getManagersList();

    assertThat(managers).hasSize(1);
    ManagerInfo self = managers.get(0);
    assertThat(self.getManagerId()).isNotEmpty();
    assertThat(self.getAnswering()).isTrue();
    assertThat(self.getAlive()).isTrue();
    assertThat(self.getAddress()).isEqualTo("127.0.0.1:0");
    assertThat(Instant.ofEpochSecond(self.getStartedAt().getSeconds())).isEqualTo(clock.instant());
  }

  private ManagerServiceBlockingStub as(CallerIdentity identity) {
    return stub.withInterceptors(TestCallers.as(identity));
  }

  static Stream<Arguments> adminCalls() {
    Stream<Arguments> calls =
        Stream.of(
            Arguments.of(
                "UpsertRoutingRule",
                (Consumer<ManagerServiceBlockingStub>)
                    s ->
                        s.upsertRoutingRule(
                            UpsertRoutingRuleRequest.newBuilder()
                                .setRule(
                                    RoutingRule.newBuilder()
                                        .setNamespace("example")
                                        .setModule("echo"))
                                .build())),
            Arguments.of(
                "DeleteRoutingRule",
                (Consumer<ManagerServiceBlockingStub>)
                    s ->
                        s.deleteRoutingRule(
                            DeleteRoutingRuleRequest.newBuilder()
                                .setNamespace("example")
                                .setModule("echo")
                                .build())),
            Arguments.of(
                "RemoveEngine",
                (Consumer<ManagerServiceBlockingStub>)
                    s ->
                        s.removeEngine(RemoveEngineRequest.newBuilder().setEngineId("e1").build())),
            Arguments.of(
                "SetSecret",
                (Consumer<ManagerServiceBlockingStub>)
                    s ->
                        s.setSecret(
                            SetSecretRequest.newBuilder()
                                .setNamespace("example")
                                .setKey("token")
                                .setValue("stolen")
                                .build())),
            Arguments.of(
                "DeleteSecret",
                (Consumer<ManagerServiceBlockingStub>)
                    s ->
                        s.deleteSecret(
                            DeleteSecretRequest.newBuilder()
                                .setNamespace("example")
                                .setKey("token")
                                .build())),
            Arguments.of(
                "ListSecrets",
                (Consumer<ManagerServiceBlockingStub>)
                    s -> s.listSecrets(ListSecretsRequest.getDefaultInstance())),
            Arguments.of(
                "UpsertSchedule",
                (Consumer<ManagerServiceBlockingStub>)
                    s -> s.upsertSchedule(UpsertScheduleRequest.getDefaultInstance())),
            Arguments.of(
                "DeleteSchedule",
                (Consumer<ManagerServiceBlockingStub>)
                    s -> s.deleteSchedule(DeleteScheduleRequest.getDefaultInstance())),
            Arguments.of(
                "ListSchedules",
                (Consumer<ManagerServiceBlockingStub>)
                    s -> s.listSchedules(ListSchedulesRequest.getDefaultInstance())));
    return calls;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("adminCalls")
  void aNodeIdentityIsDeniedEveryAdminCallAndChangesNothing(
      String method, Consumer<ManagerServiceBlockingStub> call) {
    stub.setSecret(
        SetSecretRequest.newBuilder()
            .setNamespace("example")
            .setKey("token")
            .setValue("original")
            .build());
    registerEcho("e1", "node-a");
    long version = manager.registry().version();

    assertStatus(
        () -> call.accept(as(TestCallers.node("node-a"))),
        Status.Code.PERMISSION_DENIED,
        method + ": caller node/node-a may not make this call (expected: an admin identity)");

    assertThat(manager.registry().version()).isEqualTo(version);
    assertThat(stub.listSecrets(ListSecretsRequest.getDefaultInstance()).getSecretsList())
        .extracting(SecretKey::getKey)
        .containsExactly("token");
    ModuleRegistration withSecret =
        ECHO_REGISTRATION.toBuilder().addRequestedSecrets("token").build();
    assertThat(
            stub.registerEngine(engine("e1", "node-a", withSecret)).getModules(0).getSecretsMap())
        .containsEntry("token", "original");
  }

  private static final ModuleRegistration ECHO_REGISTRATION = module(ECHO, ECHO_SCHEMA);

  @ParameterizedTest(name = "{0}")
  @MethodSource("adminCalls")
  void anAdminIdentityMayMakeTheAdminCalls(
      String method, Consumer<ManagerServiceBlockingStub> call) {
    registerEcho("e1", "node-a");
    try {
      call.accept(as(TestCallers.admin("alice")));
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.PERMISSION_DENIED);
    }
  }

  @Test
  void aNodeIdentityReadsTheRoutingTableAndTheRegistry() {
    ManagerServiceBlockingStub node = as(TestCallers.node("node-b"));
    node.registerEngine(engine("e2", "node-b", module(ECHO, ECHO_SCHEMA)));

    assertThat(
            node.getRoutingTable(GetRoutingTableRequest.newBuilder().setNode("node-b").build())
                .getTable()
                .getRoutesList())
        .singleElement()
        .satisfies(r -> assertThat(r.getLocal()).isTrue());
    assertThat(node.listEngines(ListEnginesRequest.getDefaultInstance()).getEnginesList())
        .extracting(EngineInfo::getEngineId)
        .containsExactly("e2");
    assertThat(
            node.getSchema(GetSchemaRequest.newBuilder().setModule(ECHO).build())
                .getFileDescriptorSet())
        .isEqualTo(ECHO_SCHEMA);
  }

  @Test
  void aNodeRegistersHeartbeatsAndDeregistersOnlyTheEnginesOfItsOwnNode() {
    ManagerServiceBlockingStub nodeA = as(TestCallers.node("node-a"));
    ManagerServiceBlockingStub nodeB = as(TestCallers.node("node-b"));
    nodeA.registerEngine(engine("e1", "node-a", module(ECHO, ECHO_SCHEMA)));
    nodeA.heartbeat(
        HeartbeatRequest.newBuilder().addHeartbeats(heartbeat("e1", ECHO, true)).build());
    long version = manager.registry().version();

    assertStatus(
        () -> nodeB.registerEngine(engine("e1", "node-b", module(ECHO, ECHO_SCHEMA))),
        Status.Code.PERMISSION_DENIED,
        "engine \"e1\" is registered from node \"node-a\"; node \"node-b\" may not register it");
    assertStatus(
        () -> nodeB.registerEngine(engine("e9", "node-a", module(ECHO, ECHO_SCHEMA))),
        Status.Code.PERMISSION_DENIED,
        "RegisterEngine: node.name: \"node-a\" (expected: \"node-b\"");
    assertStatus(
        () ->
            nodeB.heartbeat(
                HeartbeatRequest.newBuilder().addHeartbeats(heartbeat("e1", ECHO, false)).build()),
        Status.Code.PERMISSION_DENIED,
        "engine \"e1\" is registered from node \"node-a\"; node \"node-b\" may not heartbeat it");
    assertStatus(
        () ->
            nodeB.deregisterEngine(DeregisterEngineRequest.newBuilder().setEngineId("e1").build()),
        Status.Code.PERMISSION_DENIED,
        "engine \"e1\" is registered from node \"node-a\"; node \"node-b\" may not deregister it");

    assertThat(manager.registry().version()).isEqualTo(version);
    assertThat(table(0, "").getTable().getRoutes(0).getHealthy()).isTrue();
    assertThat(
            nodeA
                .deregisterEngine(DeregisterEngineRequest.newBuilder().setEngineId("e1").build())
                .getRoutingTableVersion())
        .isEqualTo(version + 1);
  }

  @Test
  void aLateDeregistrationOfAStoppedIncarnationLeavesItsSuccessorRoutable() {
    ManagerServiceBlockingStub node = as(TestCallers.node("node-a"));
    node.registerEngine(
        engine("e1", "node-a", module(ECHO, ECHO_SCHEMA)).toBuilder()
            .setIncarnationId("old")
            .build());
    node.registerEngine(
        engine("e1", "node-a", module(ECHO, ECHO_SCHEMA)).toBuilder()
            .setIncarnationId("new")
            .build());
    node.heartbeat(
        HeartbeatRequest.newBuilder()
            .addHeartbeats(heartbeat("e1", ECHO, true).toBuilder().setIncarnationId("new"))
            .build());

    node.deregisterEngine(
        DeregisterEngineRequest.newBuilder().setEngineId("e1").setIncarnationId("old").build());

    assertThat(table(0, "").getTable().getRoutes(0).getHealthy()).isTrue();
    EngineInfo engine =
        node.getEngine(GetEngineRequest.newBuilder().setEngineId("e1").build()).getEngine();
    assertThat(engine.getDeregistered()).isFalse();
    assertThat(engine.getIncarnationId()).isEqualTo("new");
  }

  @Test
  void aHeartbeatOfANewIncarnationAfterADeregistrationAsksItToRegister() {
    ManagerServiceBlockingStub node = as(TestCallers.node("node-a"));
    node.registerEngine(
        engine("e1", "node-a", module(ECHO, ECHO_SCHEMA)).toBuilder()
            .setIncarnationId("old")
            .build());
    node.deregisterEngine(
        DeregisterEngineRequest.newBuilder().setEngineId("e1").setIncarnationId("old").build());

    HeartbeatResponse answer =
        node.heartbeat(
            HeartbeatRequest.newBuilder()
                .addHeartbeats(heartbeat("e1", ECHO, true).toBuilder().setIncarnationId("new"))
                .build());

    assertThat(answer.getReregisterEngineIdsList()).containsExactly("e1");
    node.registerEngine(
        engine("e1", "node-a", module(ECHO, ECHO_SCHEMA)).toBuilder()
            .setIncarnationId("new")
            .build());
    node.heartbeat(
        HeartbeatRequest.newBuilder()
            .addHeartbeats(heartbeat("e1", ECHO, true).toBuilder().setIncarnationId("new"))
            .build());
    assertThat(table(0, "").getTable().getRoutes(0).getHealthy()).isTrue();
  }
}
