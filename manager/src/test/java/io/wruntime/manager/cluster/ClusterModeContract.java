package io.wruntime.manager.cluster;

import static io.wruntime.manager.cluster.ClusterObjects.engineConfigMap;
import static io.wruntime.manager.cluster.ClusterObjects.pod;
import static io.wruntime.manager.cluster.ClusterObjects.status;
import static io.wruntime.manager.cluster.ClusterObjects.wasmModule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.wruntime.common.net.HostPort;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.manager.Fixtures;
import io.wruntime.manager.config.KubernetesConfig;
import io.wruntime.manager.grpc.ManagerIdentity;
import io.wruntime.manager.grpc.ManagerService;
import io.wruntime.manager.grpc.ProtoMapping;
import io.wruntime.manager.grpc.RoutingTablePublisher;
import io.wruntime.manager.grpc.RoutingTableWatchers;
import io.wruntime.manager.registry.Registry;
import io.wruntime.manager.registry.RouteSource;
import io.wruntime.manager.registry.Secrets;
import io.wruntime.manager.server.ManagerServer;
import io.wruntime.proto.v1.GetSchemaRequest;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingTable;
import io.wruntime.proto.v1.WatchRoutingTableRequest;
import io.wruntime.proto.v1.WatchRoutingTableResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cluster mode against an API server: WasmModules, pods and ConfigMaps written to it become the
 * routing table that a proxy watching over gRPC (in-process) is pushed. Each test works in a
 * namespace of its own, which the manager watches.
 */
abstract class ClusterModeContract {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final ByteString SCHEMA_1 = Fixtures.schema("echo.v1", "Echo", "Say");
  static final ByteString SCHEMA_2 = Fixtures.schema("echo.v1", "Echo", "Say", "Shout");
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  String ns;
  Registry registry;
  ClusterWatch watch;
  KubernetesConfig config;
  private ManagerServer server;
  private ManagedChannel channel;
  ManagerServiceGrpc.ManagerServiceBlockingStub stub;
  final BlockingQueue<RoutingTable> tables = new LinkedBlockingQueue<>();
  RoutingTable last = RoutingTable.getDefaultInstance();

  /** The client that creates and changes objects, as users and the operator do. */
  abstract KubernetesClient admin();

  /** The client the manager's informers use. */
  abstract KubernetesClient managerClient();

  @BeforeEach
  void startManager() throws Exception {
    ns = "cluster-" + NAMESPACES.incrementAndGet();
    admin()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    config = new KubernetesConfig(true, List.of(ns), new HostPort("127.0.0.1", 9100));
    Clock clock = Clock.systemUTC();
    registry =
        new Registry(
            clock,
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            new Secrets(clock),
            RouteSource.CLUSTER);
    watch = ClusterWatch.start(managerClient(), config, registry, WAIT);
    RoutingTablePublisher publisher = new RoutingTablePublisher(registry);
    RoutingTableWatchers watchers = new RoutingTableWatchers(publisher);
    String name = InProcessServerBuilder.generateName();
    server =
        new ManagerServer(
                InProcessServerBuilder.forName(name),
                new ManagerService(
                    registry,
                    publisher,
                    new Secrets(clock),
                    watchers,
                    ManagerIdentity.random(clock.instant()),
                    clock),
                watchers)
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    stub = ManagerServiceGrpc.newBlockingStub(channel);
    ManagerServiceGrpc.newStub(channel)
        .watchRoutingTable(
            WatchRoutingTableRequest.newBuilder().setNode("some-other-node").build(),
            new StreamObserver<>() {
              @Override
              public void onNext(WatchRoutingTableResponse value) {
                tables.add(value.getTable());
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    last = next();
  }

  @AfterEach
  void stopManager() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.stop(Duration.ofSeconds(5));
    }
    if (watch != null) {
      watch.close();
    }
  }

  /** The next table pushed to the watcher; its version is above the one before. */
  RoutingTable next() throws InterruptedException {
    RoutingTable table = tables.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(table).as("a routing table pushed within " + WAIT).isNotNull();
    assertThat(table.getVersion()).isGreaterThan(last.getVersion());
    last = table;
    return table;
  }

  /** Pushed tables until one satisfies {@code condition}. */
  RoutingTable until(Predicate<RoutingTable> condition) throws InterruptedException {
    RoutingTable table = last;
    while (!condition.test(table)) {
      table = next();
    }
    return table;
  }

  /** Asserts that no table is pushed for a second. */
  void noNewTable() {
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> tables.isEmpty());
  }

  static Route route(RoutingTable table, String engineId) {
    return table.getRoutesList().stream()
        .filter(r -> r.getEngineId().equals(engineId))
        .findFirst()
        .orElse(null);
  }

  WasmModule createModule(String name, String version, ByteString schema) {
    WasmModule wm = admin().resource(wasmModule(ns, name, version)).create();
    admin().resource(engineConfigMap(wm, version, schema)).create();
    return wm;
  }

  Pod createPod(WasmModule wm, String name, String version, String ip, boolean ready) {
    Pod pod = admin().resource(pod(wm, name, version, 9443)).create();
    return setStatus(pod.getMetadata().getName(), ip, ready);
  }

  Pod setStatus(String pod, String ip, boolean ready) {
    return admin()
        .pods()
        .inNamespace(ns)
        .withName(pod)
        .editStatus(p -> new PodBuilder(p).withStatus(status(ip, ready)).build());
  }

  /** echo 1.0.0 with two ready pods, as pushed to the watcher. */
  RoutingTable echoWithTwoReadyPods() throws InterruptedException {
    WasmModule wm = createModule("echo", "1.0.0", SCHEMA_1);
    createPod(wm, "echo-a", "1.0.0", "10.0.0.1", true);
    createPod(wm, "echo-b", "1.0.0", "10.0.0.2", true);
    return until(
        t -> {
          List<Route> mine =
              t.getRoutesList().stream()
                  .filter(r -> r.getModule().getNamespace().equals(ns))
                  .toList();
          return mine.size() == 2 && mine.stream().allMatch(Route::getHealthy);
        });
  }

  @Test
  void readyPodsOfAWasmModuleArePushedAsHealthyRoutesAndItsSchemaIsServed()
      throws InterruptedException {
    RoutingTable table = echoWithTwoReadyPods();

    assertThat(route(table, "echo-a"))
        .isEqualTo(
            Route.newBuilder()
                .setModule(Fixtures.ref(ns, "echo", "1.0.0"))
                .setEngineId("echo-a")
                .setAddress("127.0.0.1:9100")
                .setNode("echo-a")
                .setNodeAddress("10.0.0.1:9443")
                .setHealthy(true)
                .build());
    assertThat(route(table, "echo-b").getNodeAddress()).isEqualTo("10.0.0.2:9443");
    assertThat(
            stub.getSchema(
                    GetSchemaRequest.newBuilder()
                        .setModule(Fixtures.ref(ns, "echo", "1.0.0"))
                        .build())
                .getFileDescriptorSet())
        .isEqualTo(SCHEMA_1);
  }

  @Test
  void aPodTurningUnreadyIsUnhealthyInTheNextPushedTable() throws InterruptedException {
    echoWithTwoReadyPods();

    setStatus("echo-a", "10.0.0.1", false);

    RoutingTable table = next();
    assertThat(route(table, "echo-a").getHealthy()).isFalse();
    assertThat(route(table, "echo-b").getHealthy()).isTrue();

    setStatus("echo-a", "10.0.0.1", true);
    assertThat(route(next(), "echo-a").getHealthy()).isTrue();
  }

  @Test
  void aDeletedPodIsRemoved() throws InterruptedException {
    echoWithTwoReadyPods();

    admin().pods().inNamespace(ns).withName("echo-a").withGracePeriod(0).delete();

    RoutingTable table = until(t -> t.getRoutesCount() < 2);
    assertThat(table.getRoutesList()).extracting(Route::getEngineId).containsExactly("echo-b");
  }

  @Test
  void changesThatDoNotChangeRoutesPushNoTable() throws InterruptedException {
    echoWithTwoReadyPods();

    admin()
        .pods()
        .inNamespace(ns)
        .withName("echo-a")
        .edit(
            p ->
                new PodBuilder(p)
                    .editMetadata()
                    .addToAnnotations("touched", "yes")
                    .endMetadata()
                    .build());

    noNewTable();
  }

  @Test
  void duringARolloutBothVersionsAreRoutedAndTheOldSchemaStays() throws InterruptedException {
    WasmModule wm = createModule("echo", "1.0.0", SCHEMA_1);
    createPod(wm, "echo-v1", "1.0.0", "10.0.0.1", true);
    until(t -> t.getRoutesCount() == 1 && t.getRoutes(0).getHealthy());

    admin()
        .resources(WasmModule.class)
        .inNamespace(ns)
        .withName("echo")
        .edit(w -> wasmModuleAt(w, "2.0.0+build.1"));
    admin()
        .configMaps()
        .inNamespace(ns)
        .withName("echo-engine")
        .edit(
            c -> {
              ConfigMap rendered = engineConfigMap(wm, "2.0.0+build.1", SCHEMA_2);
              return new ConfigMapBuilder(c)
                  .editMetadata()
                  .withLabels(rendered.getMetadata().getLabels())
                  .endMetadata()
                  .withBinaryData(rendered.getBinaryData())
                  .build();
            });
    createPod(wm, "echo-v2", "2.0.0+build.1", "10.0.0.2", true);

    RoutingTable table = until(t -> t.getRoutesCount() == 2);
    assertThat(table.getRoutesList())
        .extracting(r -> r.getModule().getVersion())
        .containsExactly("1.0.0", "2.0.0+build.1");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        stub.getSchema(
                                GetSchemaRequest.newBuilder()
                                    .setModule(Fixtures.ref(ns, "echo", "2.0.0+build.1"))
                                    .build())
                            .getFileDescriptorSet())
                    .isEqualTo(SCHEMA_2));
    assertThat(
            stub.getSchema(
                    GetSchemaRequest.newBuilder()
                        .setModule(Fixtures.ref(ns, "echo", "1.0.0"))
                        .build())
                .getFileDescriptorSet())
        .isEqualTo(SCHEMA_1);
  }

  private static WasmModule wasmModuleAt(WasmModule current, String version) {
    WasmModule moved =
        wasmModule(current.getMetadata().getNamespace(), current.getMetadata().getName(), version);
    moved.setMetadata(current.getMetadata());
    return moved;
  }

  @Test
  void deletingTheWasmModuleRemovesItsRoutes() throws InterruptedException {
    echoWithTwoReadyPods();

    admin().resources(WasmModule.class).inNamespace(ns).withName("echo").delete();

    assertThat(until(t -> t.getRoutesCount() == 0).getRoutesList()).isEmpty();
  }

  @Test
  void aNewInformerOverTheSameRegistryPushesNoChange() throws Exception {
    RoutingTable before = echoWithTwoReadyPods();

    watch.close();
    watch = ClusterWatch.start(managerClient(), config, registry, WAIT);

    noNewTable();
    assertThat(ProtoMapping.table(registry.routingTable())).isEqualTo(before);
  }
}
