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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the watcher logs while the manager's stream breaks, fails repeatedly and comes back. */
class RoutingTableWatcherTest {
  @RegisterExtension final LogLines log = new LogLines(RoutingTableWatcher.class);

  private final AtomicBoolean down = new AtomicBoolean();
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
                        WatchRoutingTableResponse.newBuilder()
                            .setTable(io.wruntime.proto.v1.RoutingTable.newBuilder().setVersion(7))
                            .build());
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
}
