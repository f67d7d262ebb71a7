package io.wruntime.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.wruntime.common.testing.LogLines;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.WatchRoutingTableRequest;
import io.wruntime.proto.v1.WatchRoutingTableResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the watcher logs while the manager's stream breaks, fails repeatedly and comes back. */
class RoutingTableWatcherTest {
  @RegisterExtension final LogLines log = new LogLines(RoutingTableWatcher.class);

  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicReference<io.wruntime.proto.v1.RoutingTable> firstTable =
      new AtomicReference<>(io.wruntime.proto.v1.RoutingTable.newBuilder().setVersion(7).build());
  private final AtomicInteger subscriptions = new AtomicInteger();
  private final List<StreamObserver<WatchRoutingTableResponse>> streams =
      new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private Server server;
  private ManagedChannel channel;
  private RoutingTableWatcher watcher;

  @BeforeEach
  void start() throws Exception {
    String name = "manager-" + System.nanoTime();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new ManagerServiceGrpc.ManagerServiceImplBase() {
                  @Override
                  public void watchRoutingTable(
                      WatchRoutingTableRequest request,
                      StreamObserver<WatchRoutingTableResponse> observer) {
                    subscriptions.incrementAndGet();
                    if (down.get()) {
                      observer.onError(unavailable());
                      return;
                    }
                    streams.add(observer);
                    observer.onNext(
                        WatchRoutingTableResponse.newBuilder().setTable(firstTable.get()).build());
                  }
                })
            .build()
            .start();
    channel =
        InProcessChannelBuilder.forName(name)
            .directExecutor()
            .propagateCauseWithStatus(true)
            .build();
    watcher = new RoutingTableWatcher(channel, "node-1", scheduler, table -> {}).start();
  }

  private static RuntimeException unavailable() {
    return Status.UNAVAILABLE
        .withDescription("manager restarting")
        .withCause(new IOException("connection refused"))
        .asRuntimeException();
  }

  @AfterEach
  void stop() {
    watcher.close();
    scheduler.shutdownNow();
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void aFailingStreamLogsOneLineWhenItGoesDownAndOneWhenItIsBack() {
    await().atMost(Duration.ofSeconds(5)).until(watcher::hasTable);

    down.set(true);
    for (StreamObserver<WatchRoutingTableResponse> stream : streams) {
      stream.onError(unavailable());
    }
    streams.clear();
    // The first subscription plus at least four failed attempts (100, 200, 400 ms of backoff).
    await().atMost(Duration.ofSeconds(10)).until(() -> subscriptions.get() >= 5);

    assertThat(log.at(Level.WARN))
        .singleElement()
        .asString()
        .contains("routing table stream to the manager is down")
        .contains("UNAVAILABLE: manager restarting")
        .contains("serving version 7")
        .doesNotContain("\n")
        .doesNotContain("at io.grpc");
    assertThat(log.at(Level.DEBUG)).isNotEmpty();

    down.set(false);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                log.at(Level.INFO)
                    .contains("routing table stream to the manager restored (version 7)"));
    assertThat(log.at(Level.WARN)).hasSize(1);
    assertThat(log.at(Level.INFO))
        .containsExactly(
            "routing table received from the manager (version 7)",
            "routing table stream to the manager restored (version 7)");
  }

  private static io.wruntime.proto.v1.RoutingTable table(
      long version, boolean incomplete, boolean withRoute) {
    io.wruntime.proto.v1.RoutingTable.Builder table =
        io.wruntime.proto.v1.RoutingTable.newBuilder()
            .setVersion(version)
            .setIncomplete(incomplete);
    if (withRoute) {
      table.addRoutes(
          Route.newBuilder()
              .setModule(
                  ModuleRef.newBuilder()
                      .setNamespace("example")
                      .setName("echo")
                      .setVersion("1.0.0"))
              .setEngineId("e1")
              .setAddress("http://127.0.0.1:9100")
              .setNode("node-1")
              .setNodeAddress("127.0.0.1:9443")
              .setHealthy(true));
    }
    return table.build();
  }

  private void restartManagerWith(io.wruntime.proto.v1.RoutingTable first) {
    firstTable.set(first);
    int before = subscriptions.get();
    for (StreamObserver<WatchRoutingTableResponse> stream : streams) {
      stream.onCompleted();
    }
    streams.clear();
    await().atMost(Duration.ofSeconds(5)).until(() -> subscriptions.get() > before);
  }

  @Test
  void aTableThatRoutesSomethingIsKeptUntilTheRestartedManagerIsComplete() {
    restartManagerWith(table(57, false, true));
    await().atMost(Duration.ofSeconds(5)).until(() -> watcher.current().version() == 57);

    restartManagerWith(table(1, true, false));
    streams
        .getLast()
        .onNext(WatchRoutingTableResponse.newBuilder().setTable(table(2, true, true)).build());

    assertThat(watcher.current().version()).isEqualTo(57);
    assertThat(watcher.current().service("example", "echo")).isNotNull();
    assertThat(log.at(Level.INFO))
        .contains(
            "the manager's routing table (version 1) is incomplete while engines re-register:"
                + " serving version 57 until it is complete");

    streams
        .getLast()
        .onNext(WatchRoutingTableResponse.newBuilder().setTable(table(3, false, false)).build());
    assertThat(watcher.current().version()).isEqualTo(3);
    assertThat(watcher.current().isEmpty()).isTrue();
  }

  @Test
  void aProxyThatRoutesNothingTakesAnIncompleteTableAndFollowsItsStream() {
    restartManagerWith(table(1, true, false));
    await().atMost(Duration.ofSeconds(5)).until(() -> watcher.current().version() == 1);

    streams
        .getLast()
        .onNext(WatchRoutingTableResponse.newBuilder().setTable(table(2, true, true)).build());
    streams
        .getLast()
        .onNext(WatchRoutingTableResponse.newBuilder().setTable(table(3, true, false)).build());

    assertThat(watcher.current().version()).isEqualTo(3);
  }
}
