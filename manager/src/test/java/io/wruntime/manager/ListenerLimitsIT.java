package io.wruntime.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.wruntime.common.testing.Sockets;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.proto.v1.GetRoutingTableRequest;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.WatchRoutingTableRequest;
import io.wruntime.proto.v1.WatchRoutingTableResponse;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The manager's gRPC listener under a connection flood and a greedy client: a real manager on
 * loopback (Netty transport), bare sockets and real gRPC channels.
 */
class ListenerLimitsIT {
  private final List<Socket> sockets = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private Manager manager;

  @AfterEach
  void stop() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    for (Socket s : sockets) {
      s.close();
    }
    if (manager != null) {
      manager.stop(Duration.ZERO);
    }
  }

  private void start(String toml) throws IOException {
    manager =
        Manager.start(
            ManagerConfig.parse("manager.toml", "listen_address = \"127.0.0.1:0\"\n" + toml));
  }

  private Socket socket() throws IOException {
    Socket s = Sockets.connect(manager.listenAddress().port());
    sockets.add(s);
    return s;
  }

  private ManagerServiceGrpc.ManagerServiceBlockingStub client() {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", manager.listenAddress().port())
            .usePlaintext()
            .build();
    channels.add(channel);
    return ManagerServiceGrpc.newBlockingStub(channel);
  }

  @Test
  void connectionsBeyondMaxConnectionsAreClosedUntilOneEnds() throws Exception {
    start("max_connections = 2\n");
    Socket first = socket();
    Socket second = socket();

    Socket third = socket();

    await().atMost(Duration.ofSeconds(10)).until(() -> Sockets.closedByServer(third));
    assertThat(Sockets.closedByServer(first)).isFalse();
    assertThatThrownBy(
            () ->
                client()
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getRoutingTable(GetRoutingTableRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

    second.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        client()
                            .withDeadlineAfter(5, TimeUnit.SECONDS)
                            .getRoutingTable(GetRoutingTableRequest.getDefaultInstance()))
                    .isNotNull());
  }

  @Test
  void aConnectionHasAtMostMaxConcurrentCallsPerConnectionOpen() throws Exception {
    start("max_concurrent_calls_per_connection = 1\n");
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", manager.listenAddress().port())
            .usePlaintext()
            .build();
    channels.add(channel);
    List<WatchRoutingTableResponse> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    ManagerServiceGrpc.newStub(channel)
        .watchRoutingTable(
            WatchRoutingTableRequest.getDefaultInstance(),
            new StreamObserver<>() {
              @Override
              public void onNext(WatchRoutingTableResponse table) {
                received.add(table);
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());

    // The watch holds the connection's one call: a second call on it waits for a free one.
    assertThatThrownBy(
            () ->
                ManagerServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(1, TimeUnit.SECONDS)
                    .getRoutingTable(GetRoutingTableRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    // Another connection is served.
    assertThat(
            client()
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .getRoutingTable(GetRoutingTableRequest.getDefaultInstance()))
        .isNotNull();
  }

  @Test
  void aConnectionWithoutCallsIsClosedAfterIdleTimeoutSecs() throws Exception {
    start("idle_timeout_secs = 1\n");
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", manager.listenAddress().port())
            .usePlaintext()
            .build();
    channels.add(channel);
    ManagerServiceGrpc.newBlockingStub(channel)
        .getRoutingTable(GetRoutingTableRequest.getDefaultInstance());
    assertThat(channel.getState(false)).isEqualTo(io.grpc.ConnectivityState.READY);

    // The server sends GOAWAY once the connection had no call for a second; the channel goes idle.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> channel.getState(false) == io.grpc.ConnectivityState.IDLE);
  }
}
