package io.wruntime.manager.server;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.wruntime.manager.config.ListenerLimits;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(CappedListener.class);

  private CappedListener() {}

  /** Applies {@code limits} to {@code builder}; returns it. */
  public static NettyServerBuilder configure(NettyServerBuilder builder, ListenerLimits limits) {
    requireNonNull(builder, "builder");
    requireNonNull(limits, "limits");
    Count count = new Count(limits.maxConnections());
    return builder
        .channelFactory(() -> new CappedChannel(count))
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

  /** Open connections of one listener. */
  private static final class Count {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean refusing = new AtomicBoolean();

    Count(int max) {
      this.max = max;
    }

    boolean tryAcquire() {
      if (open.incrementAndGet() <= max) {
        return true;
      }
      open.decrementAndGet();
      if (refusing.compareAndSet(false, true)) {
        LOG.warn(
            "listen_address (max_connections = {}): {} connections are open, the most allowed; new"
                + " connections are closed until one ends",
            max,
            max);
      }
      return false;
    }

    void release() {
      if (open.decrementAndGet() < max && refusing.compareAndSet(true, false)) {
        LOG.info("listen_address: below {} open connections again", max);
      }
    }
  }

  /** Accepts as NIO does, then closes what is beyond the cap before gRPC sees it. */
  private static final class CappedChannel extends NioServerSocketChannel {
    private final Count count;

    CappedChannel(Count count) {
      this.count = count;
    }

    @Override
    protected int doReadMessages(List<Object> buf) throws Exception {
      int before = buf.size();
      int accepted = super.doReadMessages(buf);
      for (int i = buf.size() - 1; i >= before; i--) {
        Channel child = (Channel) buf.get(i);
        if (count.tryAcquire()) {
          child.closeFuture().addListener(f -> count.release());
        } else {
          buf.remove(i);
          accepted--;
          child.unsafe().closeForcibly();
        }
      }
      return accepted;
    }
  }
}
