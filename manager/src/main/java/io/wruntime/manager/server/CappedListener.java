package io.wruntime.manager.server;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.wruntime.common.grpc.CappedServerChannel;
import io.wruntime.manager.config.ListenerLimits;
import java.util.concurrent.TimeUnit;

/**
 * The manager's gRPC listener with its caps ({@link ListenerLimits}): at most {@code
 * max_connections} connections, {@code max_concurrent_calls_per_connection} calls on each, and
 * connections without calls closed after {@code idle_timeout_secs}.
 *
 * <p>gRPC has no connection cap of its own, so the server channel counts what it accepts and closes
 * a connection beyond the cap before gRPC sees it. That needs a channel class of ours, and gRPC
 * takes one only together with its event loops: those are shared by the managers of a JVM (daemon
 * threads, like gRPC's own default ones).
 */
public final class CappedListener {
  private CappedListener() {}

  /** Applies {@code limits} to {@code builder}; returns it. */
  public static NettyServerBuilder configure(NettyServerBuilder builder, ListenerLimits limits) {
    requireNonNull(builder, "builder");
    requireNonNull(limits, "limits");
    return builder
        .channelFactory(
            CappedServerChannel.factory(
                "listen_address (max_connections = " + limits.maxConnections() + ")",
                limits.maxConnections()))
        .bossEventLoopGroup(EventLoops.BOSS)
        .workerEventLoopGroup(EventLoops.WORKERS)
        .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
        .maxConnectionIdle(limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Created on first use: a JVM without a manager starts no threads. */
  private static final class EventLoops {
    static final EventLoopGroup BOSS = group("wr-manager-accept-", 1);
    static final EventLoopGroup WORKERS =
        group("wr-manager-grpc-", Math.max(2, Runtime.getRuntime().availableProcessors()));

    private static EventLoopGroup group(String name, int threads) {
      return new MultiThreadIoEventLoopGroup(
          threads, Thread.ofPlatform().name(name, 0).daemon().factory(), NioIoHandler.newFactory());
    }
  }
}
