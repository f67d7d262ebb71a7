package io.wruntime.engine.registration;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.wruntime.proto.v1.DeregisterEngineRequest;
import io.wruntime.proto.v1.DeregisterEngineResponse;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.HeartbeatResponse;
import io.wruntime.proto.v1.NodeServiceGrpc;
import io.wruntime.proto.v1.RegisterEngineRequest;
import io.wruntime.proto.v1.RegisterEngineResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A proxy's NodeService for tests, on a real loopback port: records every call, and can refuse
 * registrations, ask engines to register again, and act when an engine deregisters.
 */
public final class FakeNodeService extends NodeServiceGrpc.NodeServiceImplBase
    implements AutoCloseable {
  /** Every RegisterEngine call, refused ones included. */
  public final List<RegisterEngineRequest> registerAttempts = new CopyOnWriteArrayList<>();

  /** The RegisterEngine calls that were answered OK. */
  public final List<RegisterEngineRequest> registers = new CopyOnWriteArrayList<>();

  public final List<HeartbeatRequest> heartbeats = new CopyOnWriteArrayList<>();
  public final List<DeregisterEngineRequest> deregisters = new CopyOnWriteArrayList<>();

  /** How many RegisterEngine calls to answer UNAVAILABLE before accepting. */
  public final AtomicInteger refuseRegisters = new AtomicInteger();

  /** Engine ids the next heartbeat answer lists in reregister_engine_ids (each once). */
  public final Set<String> reregister = ConcurrentHashMap.newKeySet();

  /** Runs inside DeregisterEngine, before it answers. */
  public volatile Runnable onDeregister = () -> {};

  private final Server server;

  private FakeNodeService(int port) throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(this)
            .build()
            .start();
  }

  /** Serves on {@code port} of 127.0.0.1 (0: any free port). */
  public static FakeNodeService start(int port) throws IOException {
    return new FakeNodeService(port);
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void registerEngine(
      RegisterEngineRequest request, StreamObserver<RegisterEngineResponse> response) {
    registerAttempts.add(request);
    if (refuseRegisters.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      response.onError(
          Status.UNAVAILABLE.withDescription("manager 127.0.0.1:9000 unreachable").asException());
      return;
    }
    registers.add(request);
    response.onNext(RegisterEngineResponse.newBuilder().setRoutingTableVersion(1).build());
    response.onCompleted();
  }

  @Override
  public void deregisterEngine(
      DeregisterEngineRequest request, StreamObserver<DeregisterEngineResponse> response) {
    onDeregister.run();
    deregisters.add(request);
    response.onNext(DeregisterEngineResponse.newBuilder().setRoutingTableVersion(2).build());
    response.onCompleted();
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
    heartbeats.add(request);
    HeartbeatResponse.Builder answer = HeartbeatResponse.newBuilder().setRoutingTableVersion(1);
    request.getHeartbeatsList().stream()
        .map(h -> h.getEngineId())
        .filter(reregister::remove)
        .forEach(answer::addReregisterEngineIds);
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
