package io.wruntime.cli;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.wruntime.manager.Manager;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.ManagerServiceGrpc.ManagerServiceBlockingStub;
import io.wruntime.proto.v1.ModuleHealth;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ModuleRegistration;
import io.wruntime.proto.v1.NodeInfo;
import io.wruntime.proto.v1.RegisterEngineRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * A real manager on loopback (gRPC over Netty, port 0) with a fixed clock, so that heartbeats stay
 * fresh and printed times are known; and a client to register engines with it.
 */
public final class TestManager implements AutoCloseable {
  /** The manager's clock: every registration and heartbeat happens at this instant. */
  public static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

  private final Manager manager;
  private final ManagedChannel channel;
  private final ManagerServiceBlockingStub stub;

  private TestManager(Manager manager) {
    this.manager = manager;
    this.channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", manager.listenAddress().port(), InsecureChannelCredentials.create())
            .build();
    this.stub = ManagerServiceGrpc.newBlockingStub(channel);
  }

  public static TestManager start() throws IOException {
    Manager manager =
        Manager.start(
            // The clock stands still, so a startup resync window would never end.
            ManagerConfig.parse(
                "test.toml", "listen_address = \"127.0.0.1:0\"\nstartup_resync_secs = 0"),
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
            Clock.fixed(NOW, ZoneOffset.UTC));
    return new TestManager(manager);
  }

  /** {@code http://127.0.0.1:PORT}, as {@code --manager} takes it. */
  public String address() {
    return "http://127.0.0.1:" + manager.listenAddress().port();
  }

  /** A stub for the test's own calls. */
  public ManagerServiceBlockingStub stub() {
    return stub;
  }

  /** A compiled example schema, {@code examples/schemas/NAME.binpb}. */
  public static ByteString exampleSchema(String name) {
    Path file = Path.of(System.getProperty("wr.root", "."), "examples", "schemas", name + ".binpb");
    try {
      return ByteString.copyFrom(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(
          file + " cannot be read (expected: built by the examples module)", e);
    }
  }

  public static ModuleRef ref(String namespace, String name, String version) {
    return ModuleRef.newBuilder().setNamespace(namespace).setName(name).setVersion(version).build();
  }

  /** Registers an engine on {@code node} at {@code address} running {@code module} with schema. */
  public void register(
      String engineId, String node, String address, ModuleRef module, ByteString schema) {
    stub.registerEngine(
        RegisterEngineRequest.newBuilder()
            .setEngineId(engineId)
            .setEngineAddress(address)
            .setNode(NodeInfo.newBuilder().setName(node).setProxyAddress("10.0.0.1:9443"))
            .addModules(ModuleRegistration.newBuilder().setRef(module).setSchema(schema))
            .build());
  }

  /** Heartbeats an engine, reporting its module healthy: its route becomes healthy. */
  public void healthy(String engineId, ModuleRef module) {
    stub.heartbeat(
        HeartbeatRequest.newBuilder()
            .addHeartbeats(
                EngineHeartbeat.newBuilder()
                    .setEngineId(engineId)
                    .addModules(ModuleHealth.newBuilder().setRef(module).setHealthy(true)))
            .build());
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    manager.stop(Duration.ofSeconds(5));
  }
}
