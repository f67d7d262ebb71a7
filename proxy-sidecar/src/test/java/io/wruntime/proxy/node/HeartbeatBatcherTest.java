package io.wruntime.proxy.node;

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
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.HeartbeatResponse;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proxy.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Batching against a stand-in manager that records each Heartbeat call. */
class HeartbeatBatcherTest {
  @RegisterExtension final LogLines log = new LogLines(HeartbeatBatcher.class);
  private final List<HeartbeatRequest> calls = new CopyOnWriteArrayList<>();
  private final AtomicBoolean down = new AtomicBoolean();
  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private Server server;
  private ManagedChannel channel;
  private HeartbeatBatcher batcher;

  @BeforeEach
  void start() throws Exception {
    String name = "manager-" + System.nanoTime();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new ManagerServiceGrpc.ManagerServiceImplBase() {
                  @Override
                  public void heartbeat(
                      HeartbeatRequest request, StreamObserver<HeartbeatResponse> observer) {
                    if (down.get()) {
                      observer.onError(
                          Status.UNAVAILABLE
                              .withCause(new java.io.IOException("connection refused"))
                              .asRuntimeException());
                      return;
                    }
                    calls.add(request);
                    observer.onNext(
                        HeartbeatResponse.newBuilder()
                            .setRoutingTableVersion(42)
                            .addReregisterEngineIds("unknown")
                            .build());
                    observer.onCompleted();
                  }
                })
            .build()
            .start();
    channel =
        InProcessChannelBuilder.forName(name)
            .directExecutor()
            .propagateCauseWithStatus(true)
            .build();
    batcher = new HeartbeatBatcher(channel, Duration.ofSeconds(1), scheduler, clock, "test");
  }

  @AfterEach
  void stop() {
    batcher.close();
    scheduler.shutdownNow();
    channel.shutdownNow();
    server.shutdownNow();
  }

  private static HeartbeatRequest beat(String... engines) {
    HeartbeatRequest.Builder b = HeartbeatRequest.newBuilder();
    for (String e : engines) {
      b.addHeartbeats(EngineHeartbeat.newBuilder().setEngineId(e));
    }
    return b.build();
  }

  @Test
  void theLatestHeartbeatOfEachEngineGoesOutInOneCallStampedWithItsArrival() {
    batcher.offer(beat("e1"));
    clock.advance(Duration.ofMillis(300));
    batcher.offer(beat("e2"));
    clock.advance(Duration.ofMillis(300));
    batcher.offer(beat("e1"));

    batcher.flush();

    assertThat(calls).hasSize(1);
    List<EngineHeartbeat> sent = calls.get(0).getHeartbeatsList();
    assertThat(sent).extracting(EngineHeartbeat::getEngineId).containsExactly("e2", "e1");
    assertThat(sent.get(1).getObservedAt().getNanos()).isEqualTo(600_000_000);
    batcher.flush();
    assertThat(calls).hasSize(1);
  }

  @Test
  void engineAnswersReflectTheManagersLastReply() {
    assertThat(batcher.offer(beat("unknown")).getReregisterEngineIdsList()).isEmpty();
    batcher.flush();

    HeartbeatResponse answer = batcher.offer(beat("unknown", "e1"));

    assertThat(answer.getReregisterEngineIdsList()).containsExactly("unknown");
    assertThat(answer.getRoutingTableVersion()).isEqualTo(42);
    batcher.registered("unknown");
    assertThat(batcher.offer(beat("unknown")).getReregisterEngineIdsList()).isEmpty();
  }

  @Test
  void aBatchTheManagerDidNotTakeIsSentWithTheNextUnlessReplaced() {
    down.set(true);
    batcher.offer(beat("e1", "e2"));
    batcher.flush();
    await().atMost(Duration.ofSeconds(5)).until(() -> batcher.pending().size() == 2);
    batcher.offer(
        HeartbeatRequest.newBuilder()
            .addHeartbeats(
                EngineHeartbeat.newBuilder()
                    .setEngineId("e2")
                    .setObservedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(99)))
            .build());
    down.set(false);

    batcher.flush();

    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).getHeartbeatsList())
        .extracting(EngineHeartbeat::getEngineId)
        .containsExactlyInAnyOrder("e1", "e2");
    assertThat(
            calls.get(0).getHeartbeatsList().stream()
                .filter(h -> h.getEngineId().equals("e2"))
                .findFirst()
                .orElseThrow()
                .getObservedAt()
                .getSeconds())
        .isEqualTo(99);
  }

  @Test
  void aDeregisteredEnginesPendingHeartbeatIsDropped() {
    batcher.offer(beat("e1", "e2"));

    batcher.deregistered("e1", "");
    batcher.flush();

    assertThat(calls.get(0).getHeartbeatsList())
        .extracting(EngineHeartbeat::getEngineId)
        .containsExactly("e2");
  }

  @Test
  void theDeregistrationOfAStoppedIncarnationKeepsItsSuccessorsHeartbeat() {
    batcher.offer(
        HeartbeatRequest.newBuilder()
            .addHeartbeats(EngineHeartbeat.newBuilder().setEngineId("e1").setIncarnationId("new"))
            .build());

    batcher.deregistered("e1", "old");
    batcher.flush();

    await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !calls.isEmpty());
    assertThat(calls.get(0).getHeartbeatsList())
        .singleElement()
        .satisfies(h -> assertThat(h.getIncarnationId()).isEqualTo("new"));
  }

  @Test
  void aFailingManagerIsOneWarningWithoutAStackTrace() {
    down.set(true);
    batcher.offer(beat("e1"));
    batcher.flush();
    batcher.flush();

    assertThat(log.at(Level.WARN))
        .singleElement()
        .asString()
        .startsWith("heartbeats to the manager at test failed (UNAVAILABLE: ")
        .contains("connection refused")
        .doesNotContain("\n")
        .doesNotContain("\tat ");
  }
}
