package io.wruntime.proxy;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.manager.Manager;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.ModuleHealth;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ModuleRegistration;
import io.wruntime.proto.v1.NodeInfo;
import io.wruntime.proto.v1.RegisterEngineRequest;
import io.wruntime.proxy.config.ProxyConfig;
import io.wruntime.proxy.routing.RoutingTable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A manager in-process (in-process gRPC transport), proxies started against it, and fake engines
 * registered with it: the mesh an integration test routes through.
 */
final class Mesh implements AutoCloseable {
  private final String name = "mesh-" + UUID.randomUUID();
  Manager manager;
  final ManagedChannel channel;
  final ManagerServiceGrpc.ManagerServiceBlockingStub stub;
  private final List<AutoCloseable> owned = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  Mesh() throws IOException {
    manager = startManager();
    channel = InProcessChannelBuilder.forName(name).build();
    stub = ManagerServiceGrpc.newBlockingStub(channel).withWaitForReady();
  }

  private Manager startManager() throws IOException {
    return Manager.start(
        ManagerConfig.parse(
            "test-manager",
            // No startup resync window: a restarted manager's table is complete at once (RestartIT
            // in tests/ covers the window).
            "engine_heartbeat_timeout_secs = 3600\nhealth_check_interval_secs = 3600\n"
                + "startup_resync_secs = 0\n"),
        InProcessServerBuilder.forName(name),
        Clock.systemUTC());
  }

  /** Stops the manager; everything it knew is gone. */
  void stopManager() throws InterruptedException {
    manager.stop(Duration.ofSeconds(1));
  }

  /** Starts a fresh manager under the same name: an empty registry, versions from 1 again. */
  void restartManager() throws IOException {
    manager = startManager();
  }

  /** A proxy of node {@code node}; {@code extra} is appended to its proxy.toml. */
  Proxy proxy(String node, String extra) throws IOException {
    return proxy(node, extra, Telemetry.notExporting(Proxy.SERVICE_NAME));
  }

  Proxy proxy(String node, String extra, Telemetry telemetry) throws IOException {
    return proxy(node, "", extra, telemetry);
  }

  /**
   * A proxy of node {@code node}; {@code nodeExtra} goes into its {@code node = {...}} table (e.g.
   * {@code tls = {...}}), {@code extra} is appended to its proxy.toml.
   */
  Proxy proxy(String node, String nodeExtra, String extra, Telemetry telemetry) throws IOException {
    ProxyConfig config =
        ProxyConfig.parse(
            "proxy.toml",
            """
            listen_address = "127.0.0.1:0"
            control_address = "127.0.0.1:0"
            manager_address = "in-process:1"
            node = { name = "%s", peer_port = 0%s }
            """
                    .formatted(node, nodeExtra.isEmpty() ? "" : ", " + nodeExtra)
                + extra);
    Proxy proxy =
        Proxy.start(
            config, InProcessChannelBuilder.forName(name).build(), telemetry, Clock.systemUTC());
    owned.add(proxy);
    await().atMost(Duration.ofSeconds(10)).until(proxy::hasRoutingTable);
    return proxy;
  }

  FakeEngine engine() throws InterruptedException {
    FakeEngine engine = new FakeEngine();
    owned.add(engine);
    return engine;
  }

  static ModuleRef ref(String namespace, String module, String version) {
    return ModuleRef.newBuilder()
        .setNamespace(namespace)
        .setName(module)
        .setVersion(version)
        .build();
  }

  /** The compiled echo schema, built by the examples module. */
  static byte[] echoSchema() throws IOException {
    String root = System.getProperty("wr.root");
    if (root == null) {
      throw new IllegalStateException(
          "the wr.root system property is not set (expected: the repository root)");
    }
    return Files.readAllBytes(Path.of(root, "examples", "schemas", "echo.binpb"));
  }

  /**
   * Registers {@code engine} as engine {@code engineId} on the node of {@code proxy}, serving
   * {@code modules} (with {@code schema} when not null), reports them healthy and waits until
   * {@code watcher} routes them.
   */
  void register(
      String engineId, FakeEngine engine, Proxy proxy, byte[] schema, ModuleRef... modules) {
    RegisterEngineRequest.Builder request =
        RegisterEngineRequest.newBuilder()
            .setEngineId(engineId)
            .setEngineAddress("http://" + engine.address())
            .setNode(proxy.node());
    HeartbeatRequest.Builder heartbeat = HeartbeatRequest.newBuilder();
    EngineHeartbeat.Builder beat = EngineHeartbeat.newBuilder().setEngineId(engineId);
    for (ModuleRef module : modules) {
      ModuleRegistration.Builder registration = ModuleRegistration.newBuilder().setRef(module);
      if (schema != null) {
        registration.setSchema(ByteString.copyFrom(schema));
      }
      request.addModules(registration);
      beat.addModules(ModuleHealth.newBuilder().setRef(module).setHealthy(true));
    }
    stub.registerEngine(request.build());
    stub.heartbeat(heartbeat.addHeartbeats(beat).build());
  }

  /** Waits until {@code proxy} routes {@code count} healthy instances of {@code ns.module}. */
  static void awaitRouted(Proxy proxy, String namespace, String module, int count) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              RoutingTable.Service service = proxy.routingTable().service(namespace, module);
              return (service == null ? 0 : service.instances().size()) == count;
            });
  }

  static NodeInfo node(String name, HostPort peer) {
    return NodeInfo.newBuilder().setName(name).setProxyAddress(peer.toString()).build();
  }

  /** A request to {@code proxy}'s internal listener for {@code destination}. */
  HttpRequest.Builder call(Proxy proxy, String destination, String path) {
    return HttpRequest.newBuilder(URI.create("http://" + proxy.listenAddress() + path))
        .header("x-wr-destination", destination + path)
        .header("x-wr-source", "example.caller")
        .header("x-wr-source-ns", "example")
        .timeout(Duration.ofSeconds(30));
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws Exception {
    for (int i = owned.size() - 1; i >= 0; i--) {
      AutoCloseable c = owned.get(i);
      if (c instanceof Proxy p) {
        p.stop(Duration.ofSeconds(1));
      } else {
        c.close();
      }
    }
    channel.shutdownNow();
    manager.stop(Duration.ofSeconds(1));
  }
}
