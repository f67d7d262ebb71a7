package io.wruntime.proxy.node;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.HeartbeatResponse;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the heartbeats of local engines into one {@code ManagerService.Heartbeat} call per
 * interval: the latest heartbeat of each engine goes out, stamped with when the engine sent it. A
 * batch the manager did not take is kept for the next interval (unless a newer heartbeat of the
 * same engine replaced it). Answers to engines come from the manager's latest reply.
 */
public final class HeartbeatBatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatBatcher.class);

  private final ManagerServiceGrpc.ManagerServiceStub stub;
  private final Duration interval;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final String managerAddress;

  private final Map<String, EngineHeartbeat> latest = new LinkedHashMap<>();
  private final Set<String> reregister = new HashSet<>();
  private long routingTableVersion;
  private boolean sending;
  private boolean failing;
  private ScheduledFuture<?> task;

  /**
   * @param interval how often a batch goes to the manager
   * @param managerAddress the manager, for log lines
   */
  public HeartbeatBatcher(
      Channel manager,
      Duration interval,
      ScheduledExecutorService scheduler,
      Clock clock,
      String managerAddress) {
    this.stub = ManagerServiceGrpc.newStub(requireNonNull(manager, "manager"));
    this.interval = requireNonNull(interval, "interval");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.clock = requireNonNull(clock, "clock");
    this.managerAddress = requireNonNull(managerAddress, "managerAddress");
  }

  /** Starts sending a batch every interval. */
  public synchronized HeartbeatBatcher start() {
    task =
        scheduler.scheduleWithFixedDelay(
            this::flush, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Takes an engine's heartbeat request and returns the answer it gets at once: the engines of the
   * request the manager asked to register again, and the latest routing-table version known.
   */
  public synchronized HeartbeatResponse offer(HeartbeatRequest request) {
    requireNonNull(request, "request");
    Instant now = clock.instant();
    HeartbeatResponse.Builder answer =
        HeartbeatResponse.newBuilder().setRoutingTableVersion(routingTableVersion);
    Set<String> listed = new HashSet<>();
    for (EngineHeartbeat heartbeat : request.getHeartbeatsList()) {
      EngineHeartbeat stamped =
          heartbeat.hasObservedAt()
              ? heartbeat
              : heartbeat.toBuilder()
                  .setObservedAt(
                      Timestamp.newBuilder()
                          .setSeconds(now.getEpochSecond())
                          .setNanos(now.getNano()))
                  .build();
      latest.remove(heartbeat.getEngineId()); // re-insert: the map's order is arrival order
      latest.put(heartbeat.getEngineId(), stamped);
      if (reregister.contains(heartbeat.getEngineId()) && listed.add(heartbeat.getEngineId())) {
        answer.addReregisterEngineIds(heartbeat.getEngineId());
      }
    }
    return answer.build();
  }

  /** An engine registered again: the manager knows it now. */
  public synchronized void registered(String engineId) {
    reregister.remove(engineId);
  }

  /**
   * An engine deregistered: its pending heartbeat is dropped, unless it is one of another
   * incarnation (a restarted engine with the same id whose predecessor just stopped).
   *
   * @param incarnationId the incarnation that deregistered; empty: whichever
   */
  public synchronized void deregistered(String engineId, String incarnationId) {
    EngineHeartbeat pending = latest.get(engineId);
    if (pending != null
        && !incarnationId.isEmpty()
        && !pending.getIncarnationId().isEmpty()
        && !pending.getIncarnationId().equals(incarnationId)) {
      return;
    }
    latest.remove(engineId);
    reregister.remove(engineId);
  }

  /** Heartbeats waiting for the next batch, by engine. */
  synchronized Collection<EngineHeartbeat> pending() {
    return List.copyOf(latest.values());
  }

  /** Sends the pending heartbeats now, as one call (unless one is still under way). */
  public void flush() {
    HeartbeatRequest batch;
    synchronized (this) {
      if (sending || latest.isEmpty()) {
        return;
      }
      batch = HeartbeatRequest.newBuilder().addAllHeartbeats(latest.values()).build();
      latest.clear();
      sending = true;
    }
    stub.withDeadlineAfter(Math.max(5_000, interval.toMillis() * 5), TimeUnit.MILLISECONDS)
        .heartbeat(
            batch,
            new StreamObserver<>() {
              @Override
              public void onNext(HeartbeatResponse response) {
                synchronized (HeartbeatBatcher.this) {
                  for (EngineHeartbeat sent : batch.getHeartbeatsList()) {
                    reregister.remove(sent.getEngineId());
                  }
                  reregister.addAll(response.getReregisterEngineIdsList());
                  routingTableVersion = response.getRoutingTableVersion();
                  if (failing) {
                    LOG.info("heartbeats reach the manager at {} again", managerAddress);
                  }
                  failing = false;
                }
                if (response.getReregisterEngineIdsCount() > 0) {
                  LOG.info(
                      "the manager does not know engines {}; they are asked to register again",
                      response.getReregisterEngineIdsList());
                }
              }

              @Override
              public void onError(Throwable t) {
                boolean first;
                synchronized (HeartbeatBatcher.this) {
                  sending = false;
                  for (EngineHeartbeat sent : batch.getHeartbeatsList()) {
                    latest.putIfAbsent(sent.getEngineId(), sent);
                  }
                  first = !failing;
                  failing = true;
                }
                if (first) {
                  // Status.toString() would carry the cause's whole stack trace.
                  Status status = Status.fromThrowable(t);
                  String description = status.getDescription();
                  if (description == null && status.getCause() != null) {
                    description = status.getCause().toString();
                  }
                  LOG.warn(
                      "heartbeats to the manager at {} failed ({}); retrying every {} ms",
                      managerAddress,
                      status.getCode() + (description == null ? "" : ": " + description),
                      interval.toMillis());
                }
              }

              @Override
              public void onCompleted() {
                synchronized (HeartbeatBatcher.this) {
                  sending = false;
                }
              }
            });
  }

  /** Stops sending; pending heartbeats are dropped. */
  @Override
  public synchronized void close() {
    if (task != null) {
      task.cancel(false);
    }
  }
}
