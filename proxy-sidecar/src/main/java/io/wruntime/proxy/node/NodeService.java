package io.wruntime.proxy.node;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.wruntime.proto.v1.DeregisterEngineRequest;
import io.wruntime.proto.v1.DeregisterEngineResponse;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.HeartbeatResponse;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.NodeInfo;
import io.wruntime.proto.v1.NodeServiceGrpc;
import io.wruntime.proto.v1.RegisterEngineRequest;
import io.wruntime.proto.v1.RegisterEngineResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NodeService for the engines of this node: registration and deregistration are relayed to the
 * manager (with this node's identity filled in), heartbeats are answered at once and batched by a
 * {@link HeartbeatBatcher}.
 */
public final class NodeService extends NodeServiceGrpc.NodeServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(NodeService.class);

  private final ManagerServiceGrpc.ManagerServiceStub manager;
  private final Supplier<NodeInfo> node;
  private final HeartbeatBatcher heartbeats;
  private final Duration timeout;
  private final String managerAddress;

  /**
   * @param node this node's name and peer address, as registrations carry it
   * @param timeout deadline of a relayed call
   * @param managerAddress the manager, for error descriptions
   */
  public NodeService(
      Channel manager,
      Supplier<NodeInfo> node,
      HeartbeatBatcher heartbeats,
      Duration timeout,
      String managerAddress) {
    this.manager = ManagerServiceGrpc.newStub(requireNonNull(manager, "manager"));
    this.node = requireNonNull(node, "node");
    this.heartbeats = requireNonNull(heartbeats, "heartbeats");
    this.timeout = requireNonNull(timeout, "timeout");
    this.managerAddress = requireNonNull(managerAddress, "managerAddress");
  }

  @Override
  public void registerEngine(
      RegisterEngineRequest request, StreamObserver<RegisterEngineResponse> observer) {
    RegisterEngineRequest relayed = request.toBuilder().setNode(node.get()).build();
    stub()
        .registerEngine(
            relayed,
            relay(
                observer,
                "RegisterEngine",
                response -> {
                  heartbeats.registered(request.getEngineId());
                  LOG.info(
                      "engine {} registered with {} module(s)",
                      request.getEngineId(),
                      request.getModulesCount());
                }));
  }

  @Override
  public void deregisterEngine(
      DeregisterEngineRequest request, StreamObserver<DeregisterEngineResponse> observer) {
    stub()
        .deregisterEngine(
            request,
            relay(
                observer,
                "DeregisterEngine",
                response -> {
                  heartbeats.deregistered(request.getEngineId(), request.getIncarnationId());
                  LOG.info("engine {} deregistered", request.getEngineId());
                }));
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> observer) {
    for (int i = 0; i < request.getHeartbeatsCount(); i++) {
      if (request.getHeartbeats(i).getEngineId().isEmpty()) {
        observer.onError(
            Status.INVALID_ARGUMENT
                .withDescription(
                    "heartbeats["
                        + i
                        + "].engine_id: \"\" (expected: the id the engine registered)")
                .asRuntimeException());
        return;
      }
    }
    observer.onNext(heartbeats.offer(request));
    observer.onCompleted();
  }

  private ManagerServiceGrpc.ManagerServiceStub stub() {
    return manager.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Passes the manager's answer on; an unreachable manager becomes UNAVAILABLE saying so. */
  private <T> StreamObserver<T> relay(
      StreamObserver<T> observer, String call, Consumer<T> onSuccess) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        onSuccess.accept(value);
        observer.onNext(value);
      }

      @Override
      public void onError(Throwable t) {
        Status status = Status.fromThrowable(t);
        if (status.getCode() == Status.Code.UNAVAILABLE
            || status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
          observer.onError(
              Status.UNAVAILABLE
                  .withDescription(
                      call
                          + ": the manager at "
                          + managerAddress
                          + " cannot be reached ("
                          + status.getCode()
                          + (status.getDescription() == null ? "" : ": " + status.getDescription())
                          + "); retry with backoff")
                  .asRuntimeException());
        } else {
          observer.onError(status.asRuntimeException());
        }
      }

      @Override
      public void onCompleted() {
        observer.onCompleted();
      }
    };
  }
}
