package io.wruntime.proxy;

import static io.wruntime.proxy.Mesh.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.proto.v1.DeregisterEngineRequest;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.EngineInfo;
import io.wruntime.proto.v1.GetEngineRequest;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.HeartbeatResponse;
import io.wruntime.proto.v1.ModuleHealth;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ModuleRegistration;
import io.wruntime.proto.v1.NodeInfo;
import io.wruntime.proto.v1.NodeServiceGrpc;
import io.wruntime.proto.v1.RegisterEngineRequest;
import io.wruntime.proxy.config.ProxyConfig;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Engines registering and heartbeating through their proxy's NodeService over real gRPC. */
@ExtendWith(LeakRecorder.class)
class NodeServiceIT {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");

  private Mesh mesh;
  private ManagedChannel control;

  @BeforeEach
  void start() throws Exception {
    mesh = new Mesh();
  }

  @AfterEach
  void stop() throws Exception {
    if (control != null) {
      control.shutdownNow();
    }
    mesh.close();
  }

  private NodeServiceGrpc.NodeServiceBlockingStub node(Proxy proxy) {
    control =
        NettyChannelBuilder.forAddress("127.0.0.1", proxy.controlAddress().port())
            .usePlaintext()
            .build();
    return NodeServiceGrpc.newBlockingStub(control).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static HeartbeatRequest healthy(String engineId) {
    return HeartbeatRequest.newBuilder()
        .addHeartbeats(
            EngineHeartbeat.newBuilder()
                .setEngineId(engineId)
                .addModules(ModuleHealth.newBuilder().setRef(ECHO).setHealthy(true)))
        .build();
  }

  @Test
  void anEngineRegisteredThroughItsProxyIsRoutedOnceItsBatchedHeartbeatArrives() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    FakeEngine engine = mesh.engine();
    NodeServiceGrpc.NodeServiceBlockingStub node = node(proxy);

    node.registerEngine(
        RegisterEngineRequest.newBuilder()
            .setEngineId("e1")
            .setEngineAddress("http://" + engine.address())
            .setNode(NodeInfo.newBuilder().setName("spoofed").setProxyAddress("10.9.9.9:1"))
            .addModules(ModuleRegistration.newBuilder().setRef(ECHO))
            .build());
    HeartbeatResponse answer = node.heartbeat(healthy("e1"));

    assertThat(answer.getReregisterEngineIdsList()).isEmpty();
    EngineInfo info =
        mesh.stub.getEngine(GetEngineRequest.newBuilder().setEngineId("e1").build()).getEngine();
    assertThat(info.getNode().getName()).isEqualTo("node-a");
    assertThat(info.getNode().getProxyAddress())
        .isEqualTo("127.0.0.1:" + proxy.peerAddress().port());
    Mesh.awaitRouted(proxy, "example", "echo", 1);
    HttpResponse<String> response =
        mesh.send(mesh.call(proxy, "http://example.echo", "/hi").GET().build());
    assertThat(response.statusCode()).isEqualTo(200);

    node.deregisterEngine(DeregisterEngineRequest.newBuilder().setEngineId("e1").build());
    Mesh.awaitRouted(proxy, "example", "echo", 0);
    HttpResponse<String> gone =
        mesh.send(mesh.call(proxy, "http://example.echo", "/hi").GET().build());
    assertThat(gone.statusCode()).isEqualTo(503);
    assertThat(gone.body()).contains("\"code\":\"no_healthy_instance\"");
  }

  @Test
  void anEngineTheManagerDoesNotKnowIsAskedToRegisterAgain() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    NodeServiceGrpc.NodeServiceBlockingStub node = node(proxy);

    assertThat(node.heartbeat(healthy("ghost")).getReregisterEngineIdsList()).isEmpty();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> node.heartbeat(healthy("ghost")).getReregisterEngineIdsList().contains("ghost"));
  }

  @Test
  void theManagersErrorsPassThroughAndAnUnreachableManagerIsUnavailable() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    NodeServiceGrpc.NodeServiceBlockingStub node = node(proxy);

    assertThatThrownBy(
            () ->
                node.registerEngine(
                    RegisterEngineRequest.newBuilder().setEngineAddress("127.0.0.1:9").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("engine_id");
            });

    ProxyConfig config =
        ProxyConfig.parse(
            "proxy.toml",
            """
            listen_address = "127.0.0.1:0"
            control_address = "127.0.0.1:0"
            manager_address = "127.0.0.1:1"
            node = { name = "lonely", peer_port = 0 }
            """);
    try (Proxy lonely =
        Proxy.start(
            config,
            InProcessChannelBuilder.forName("nobody-" + System.nanoTime()).build(),
            Telemetry.notExporting(Proxy.SERVICE_NAME),
            Clock.systemUTC())) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", lonely.controlAddress().port())
              .usePlaintext()
              .build();
      try {
        assertThatThrownBy(
                () ->
                    NodeServiceGrpc.newBlockingStub(channel)
                        .registerEngine(
                            RegisterEngineRequest.newBuilder()
                                .setEngineId("e1")
                                .setEngineAddress("127.0.0.1:9")
                                .build()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                  assertThat(e.getStatus().getDescription())
                      .contains("RegisterEngine: the manager at 127.0.0.1:1 cannot be reached");
                });
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
