package io.wruntime.proxy;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.ModuleHealth;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ModuleRegistration;
import io.wruntime.proto.v1.NodeServiceGrpc;
import io.wruntime.proto.v1.RegisterEngineRequest;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * What tests of {@code bin/wr-proxy} as a child process share: the lines it logs when listening,
 * and an engine registering through its control port (the NodeService an engine calls).
 */
final class ProxyProcesses {
  /** {@code bin/wr-manager}'s listening line; group 1 is its port. */
  static final Pattern MANAGER = Pattern.compile("manager listening on [^\\s]+:(\\d+)");

  /** {@code bin/wr-proxy}'s listening line; groups 1, 2 and 3: listen, peer and control ports. */
  static final Pattern LISTENING =
      Pattern.compile(
          "proxy listening on 127\\.0\\.0\\.1:(\\d+) \\(peer 127\\.0\\.0\\.1:(\\d+), control"
              + " 127\\.0\\.0\\.1:(\\d+)\\)");

  /** The admin listener's line; group 1 is its port. */
  static final Pattern ADMIN = Pattern.compile("admin endpoints on [^\\s]+:(\\d+)");

  private ProxyProcesses() {}

  /**
   * Registers {@code engine} as engine {@code e1} serving {@code module} through the control port
   * {@code port} on 127.0.0.1, and reports it healthy.
   */
  static void registerHealthy(int port, FakeEngine engine, ModuleRef module) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      var node = NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      node.registerEngine(
          RegisterEngineRequest.newBuilder()
              .setEngineId("e1")
              .setEngineAddress("http://" + engine.address())
              .addModules(ModuleRegistration.newBuilder().setRef(module))
              .build());
      node.heartbeat(
          HeartbeatRequest.newBuilder()
              .addHeartbeats(
                  EngineHeartbeat.newBuilder()
                      .setEngineId("e1")
                      .addModules(ModuleHealth.newBuilder().setRef(module).setHealthy(true)))
              .build());
    } finally {
      channel.shutdownNow();
    }
  }
}
