package io.wruntime.manager.grpc;

import static io.wruntime.manager.Fixtures.engine;
import static io.wruntime.manager.Fixtures.heartbeat;
import static io.wruntime.manager.Fixtures.module;
import static io.wruntime.manager.Fixtures.ref;
import static io.wruntime.manager.Fixtures.schema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.wruntime.manager.Manager;
import io.wruntime.manager.MutableClock;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.ManagerServiceGrpc.ManagerServiceBlockingStub;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.RoutingTable;
import io.wruntime.proto.v1.WatchRoutingTableRequest;
import io.wruntime.proto.v1.WatchRoutingTableResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WatchRoutingTable: full tables, pushed on change, coalesced for slow watchers. */
class WatchRoutingTableTest {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");

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
            InProcessServerBuilder.forName(name),
            clock);
    channel = InProcessChannelBuilder.forName(name).build();
    stub = ManagerServiceGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    manager.stop(Duration.ofSeconds(5));
  }

  /** A watch whose messages land in a queue; it asks for {@code initial} messages up front. */
  private static final class Watch
      implements ClientResponseObserver<WatchRoutingTableRequest, WatchRoutingTableResponse> {
    final BlockingQueue<RoutingTable> tables = new LinkedBlockingQueue<>();
    final BlockingQueue<String> end = new LinkedBlockingQueue<>();
    private final int initial;
    volatile ClientCallStreamObserver<WatchRoutingTableRequest> call;

    Watch(int initial) {
      this.initial = initial;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRoutingTableRequest> requestStream) {
      call = requestStream;
      if (initial >= 0) {
        requestStream.disableAutoRequestWithInitial(initial);
      }
    }

    @Override
    public void onNext(WatchRoutingTableResponse value) {
      tables.add(value.getTable());
    }

    @Override
    public void onError(Throwable t) {
      end.add("error: " + t);
    }

    @Override
    public void onCompleted() {
      end.add("completed");
    }

    RoutingTable next() throws InterruptedException {
      RoutingTable table = tables.poll(10, TimeUnit.SECONDS);
      assertThat(table).as("a routing table within 10 s").isNotNull();
      return table;
    }
  }

  private Watch watch(String node, int initial) {
    Watch watch = new Watch(initial);
    ManagerServiceGrpc.newStub(channel)
        .watchRoutingTable(WatchRoutingTableRequest.newBuilder().setNode(node).build(), watch);
    return watch;
  }

  @Test
  void aWatcherGetsTheFullTableOnConnectThenEveryChangeWithIncreasingVersions() throws Exception {
    stub.registerEngine(
        engine("e1", "node-a", module(ECHO, schema("echo", "EchoService", "Echo"))));

    Watch watch = watch("node-a", -1);
    RoutingTable first = watch.next();
    assertThat(first.getVersion()).isEqualTo(2);
    assertThat(first.getRoutesList())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getEngineId()).isEqualTo("e1");
              assertThat(r.getLocal()).isTrue();
              assertThat(r.getHealthy()).isFalse();
            });

    stub.heartbeat(
        HeartbeatRequest.newBuilder().addHeartbeats(heartbeat("e1", ECHO, true)).build());
    stub.registerEngine(engine("e2", "node-b", module(ECHO, ByteString.EMPTY)));

    List<RoutingTable> seen = new ArrayList<>(List.of(first));
    while (seen.getLast().getVersion() < manager.registry().version()) {
      seen.add(watch.next());
    }
    assertThat(seen).extracting(RoutingTable::getVersion).isSorted().doesNotHaveDuplicates();
    RoutingTable last = seen.getLast();
    assertThat(last.getVersion()).isEqualTo(4);
    assertThat(last.getRoutesList())
        .extracting(r -> r.getEngineId() + " healthy=" + r.getHealthy() + " local=" + r.getLocal())
        .containsExactly("e1 healthy=true local=true", "e2 healthy=false local=false");
  }

  @Test
  void aSlowWatcherDoesNotHoldUpTheRegistryAndThenGetsOnlyTheLatestTable() throws Exception {
    Watch slow = watch("", 1);
    assertThat(slow.next().getVersion()).isEqualTo(1);

    // The watcher asks for nothing more while 50 changes happen.
    for (int i = 0; i < 50; i++) {
      stub.registerEngine(engine("e" + i, "node-a", module(ECHO, ByteString.EMPTY)));
    }
    long latest = manager.registry().version();
    assertThat(latest).isEqualTo(51);
    assertThat(slow.tables.poll(200, TimeUnit.MILLISECONDS)).isNull();

    slow.call.request(1);

    RoutingTable table = slow.next();
    assertThat(table.getVersion()).isEqualTo(latest);
    assertThat(table.getRoutesList()).hasSize(50);
    slow.call.request(1);
    assertThat(slow.tables.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void stoppingTheManagerEndsWatchStreamsCleanly() throws Exception {
    Watch watch = watch("", -1);
    watch.next();
    await().until(() -> watchers() == 1);

    assertThat(manager.stop(Duration.ofSeconds(5))).isTrue();

    assertThat(watch.end.poll(10, TimeUnit.SECONDS)).isEqualTo("completed");
  }

  @Test
  void aCancelledWatchIsForgotten() throws Exception {
    Watch watch = watch("", -1);
    watch.next();
    await().until(() -> watchers() == 1);

    watch.call.cancel("proxy stopping", null);

    await().until(() -> watchers() == 0);
  }

  private int watchers() {
    return manager.watcherCount();
  }
}
