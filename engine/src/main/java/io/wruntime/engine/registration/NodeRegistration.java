package io.wruntime.engine.registration;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.wruntime.common.lifecycle.Backoff;
import io.wruntime.common.net.HostPort;
import io.wruntime.proto.v1.DeregisterEngineRequest;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.HeartbeatResponse;
import io.wruntime.proto.v1.ModuleHealth;
import io.wruntime.proto.v1.ModuleRegistration;
import io.wruntime.proto.v1.NodeServiceGrpc;
import io.wruntime.proto.v1.RegisterEngineRequest;
import io.wruntime.proto.v1.RegisterEngineResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an engine registered with the control plane through its proxy's gRPC {@code NodeService}:
 * registers at start, retrying with backoff while the proxy (or its manager) cannot be reached;
 * then heartbeats at a fixed interval with the health of each module, and registers again when a
 * heartbeat's answer asks for it; deregisters on {@link #close()}. The engine serves requests all
 * along. Each change of state (failing, registered, heartbeats failing, recovered) is one log line,
 * not one per attempt.
 *
 * <p>Every call runs on one timer thread, so the state needs no locks; {@link #close()} interrupts
 * that thread's call in progress.
 */
public final class NodeRegistration implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);

  static final Duration REGISTER_DEADLINE = Duration.ofSeconds(10);
  static final Duration HEARTBEAT_DEADLINE = Duration.ofSeconds(5);
  static final Duration DEREGISTER_DEADLINE = Duration.ofSeconds(3);
  static final Duration FIRST_RETRY = Duration.ofMillis(500);
  static final Duration MAX_RETRY = Duration.ofSeconds(10);

  private final HostPort control;
  private final RegisterEngineRequest registration;
  private final Duration configuredInterval;
  private final Supplier<List<ModuleHealth>> health;
  private final ManagedChannel channel;
  private final NodeServiceGrpc.NodeServiceBlockingStub stub;
  private final ScheduledThreadPoolExecutor timer;

  // Timer thread only.
  private final Backoff retries = new Backoff(FIRST_RETRY, MAX_RETRY);
  private ScheduledFuture<?> heartbeats;
  private Status.Code registerProblem;
  private Status.Code heartbeatProblem;

  private volatile boolean registered;
  // Whether the control plane may know this engine: it registered once, or a registration was cut
  // short by close(). Only then is deregistering worth a call.
  private volatile boolean mayBeKnown;
  private volatile boolean closed;

  private NodeRegistration(
      HostPort control,
      RegisterEngineRequest registration,
      Duration heartbeatInterval,
      Supplier<List<ModuleHealth>> health) {
    this.control = control;
    this.registration = registration;
    this.configuredInterval = heartbeatInterval;
    this.health = health;
    this.channel =
        Grpc.newChannelBuilderForAddress(
                control.host(), control.port(), InsecureChannelCredentials.create())
            .userAgent("wr-engine")
            .build();
    this.stub = NodeServiceGrpc.newBlockingStub(channel);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("wr-registration").daemon().factory());
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    timer.setRemoveOnCancelPolicy(true);
  }

  /**
   * Starts registering in the background and returns at once.
   *
   * @param control the proxy's {@code NodeService} address ({@code [node] control_address})
   * @param engineId the engine's id, stable for the process lifetime
   * @param engineAddress the engine's HTTP address as its proxy reaches it, e.g. {@code
   *     http://127.0.0.1:9100}
   * @param modules the modules to register, with their schemas
   * @param heartbeatInterval how often to heartbeat, unless the registration's answer says
   * @param health the latest health of each module, for each heartbeat
   */
  public static NodeRegistration start(
      HostPort control,
      String engineId,
      String engineAddress,
      List<ModuleRegistration> modules,
      Duration heartbeatInterval,
      Supplier<List<ModuleHealth>> health) {
    requireNonNull(control, "control");
    requireNonNull(engineId, "engineId");
    requireNonNull(engineAddress, "engineAddress");
    requireNonNull(modules, "modules");
    requireNonNull(heartbeatInterval, "heartbeatInterval");
    requireNonNull(health, "health");
    RegisterEngineRequest request =
        RegisterEngineRequest.newBuilder()
            .setEngineId(engineId)
            // One per process start: lets the manager tell this process's calls from those of an
            // earlier process that used the same engine id.
            .setIncarnationId(UUID.randomUUID().toString())
            .setEngineAddress(engineAddress)
            .addAllModules(modules)
            .build();
    NodeRegistration registration =
        new NodeRegistration(control, request, heartbeatInterval, health);
    registration.timer.execute(registration::register);
    return registration;
  }

  /** The id the engine registers with. */
  public String engineId() {
    return registration.getEngineId();
  }

  /**
   * This process start's incarnation id, sent with every registration, heartbeat and
   * deregistration.
   */
  public String incarnationId() {
    return registration.getIncarnationId();
  }

  /** True while the last registration succeeded and no heartbeat asked for a new one. */
  public boolean isRegistered() {
    return registered;
  }

  private void register() {
    if (closed) {
      return;
    }
    // The channel backs off its reconnects up to minutes; our own schedule decides when to try.
    channel.resetConnectBackoff();
    RegisterEngineResponse response;
    try {
      response =
          stub.withDeadlineAfter(REGISTER_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .registerEngine(registration);
    } catch (StatusRuntimeException e) {
      if (closed) {
        // Cut short by close(): if it reached the proxy, the proxy may relay it all the same.
        if (channel.getState(false) == ConnectivityState.READY) {
          mayBeKnown = true;
        }
        return;
      }
      Status status = e.getStatus();
      if (status.getCode() != registerProblem) {
        registerProblem = status.getCode();
        LOG.warn(
            "registering engine {} through node service {} failed: {}; retrying with backoff",
            engineId(),
            control,
            describe(status));
      }
      timer.schedule(this::register, retries.next().toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    mayBeKnown = true;
    if (closed) {
      return;
    }
    registerProblem = null;
    retries.reset();
    registered = true;
    Duration interval = configuredInterval;
    if (response.hasHeartbeatInterval()) {
      Duration asked =
          Duration.ofSeconds(
              response.getHeartbeatInterval().getSeconds(),
              response.getHeartbeatInterval().getNanos());
      if (asked.toMillis() > 0) {
        interval = asked;
      }
    }
    LOG.info(
        "registered engine {} at {} through node service {} with modules {}; heartbeats every {}",
        engineId(),
        registration.getEngineAddress(),
        control,
        registration.getModulesList().stream()
            .map(
                m ->
                    m.getRef().getNamespace()
                        + "."
                        + m.getRef().getName()
                        + "@"
                        + m.getRef().getVersion())
            .toList(),
        interval.toMillis() % 1000 == 0
            ? interval.toSeconds() + " s"
            : interval.toMillis() + " ms");
    if (heartbeats != null) {
      heartbeats.cancel(false);
    }
    // Heartbeat now, so routes turn healthy without waiting an interval, then periodically.
    heartbeats =
        timer.scheduleWithFixedDelay(this::heartbeat, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void heartbeat() {
    if (closed || !registered) {
      return;
    }
    Instant now = Instant.now();
    HeartbeatRequest request =
        HeartbeatRequest.newBuilder()
            .addHeartbeats(
                EngineHeartbeat.newBuilder()
                    .setEngineId(engineId())
                    .setIncarnationId(incarnationId())
                    .addAllModules(health.get())
                    .setObservedAt(
                        Timestamp.newBuilder()
                            .setSeconds(now.getEpochSecond())
                            .setNanos(now.getNano())))
            .build();
    HeartbeatResponse response;
    try {
      response =
          stub.withDeadlineAfter(HEARTBEAT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .heartbeat(request);
    } catch (StatusRuntimeException e) {
      if (closed) {
        return;
      }
      if (e.getStatus().getCode() != heartbeatProblem) {
        heartbeatProblem = e.getStatus().getCode();
        LOG.warn(
            "heartbeats of engine {} through node service {} fail: {}",
            engineId(),
            control,
            describe(e.getStatus()));
      }
      // The channel may be backing off; let the next heartbeat try a connection at once.
      channel.resetConnectBackoff();
      return;
    }
    if (heartbeatProblem != null) {
      heartbeatProblem = null;
      LOG.info(
          "heartbeats of engine {} through node service {} go through again", engineId(), control);
    }
    if (response.getReregisterEngineIdsList().contains(engineId())) {
      LOG.info(
          "node service {} does not know engine {} (any more): registering again",
          control,
          engineId());
      registered = false;
      heartbeats.cancel(false);
      heartbeats = null;
      register();
    }
  }

  /**
   * Stops heartbeating and deregisters (when the engine may be registered), so that the control
   * plane stops routing here before the engine stops serving. Waits at most a few seconds.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(REGISTER_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("the registration thread did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (mayBeKnown && !Thread.currentThread().isInterrupted()) {
      try {
        stub.withDeadlineAfter(DEREGISTER_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .deregisterEngine(
                DeregisterEngineRequest.newBuilder()
                    .setEngineId(engineId())
                    .setIncarnationId(incarnationId())
                    .build());
        LOG.info("deregistered engine {} through node service {}", engineId(), control);
      } catch (StatusRuntimeException e) {
        LOG.warn(
            "deregistering engine {} through node service {} failed: {}",
            engineId(),
            control,
            describe(e.getStatus()));
      }
    }
    registered = false;
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String describe(Status status) {
    String description = status.getDescription();
    if (description == null && status.getCause() != null) {
      description = status.getCause().toString();
    }
    return status.getCode() + (description == null ? "" : ": " + description);
  }
}
