package io.wruntime.common.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFactory;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server channel of a gRPC listener (gRPC's shaded Netty, which has no handler on the server
 * channel) that caps its open connections: it accepts as NIO does, then closes every connection
 * beyond the cap before gRPC sees it, so a flood of connections ends at the cap instead of at the
 * process's file-descriptor limit. Reaching the cap is logged once, and again only after the
 * listener was back under it.
 *
 * <p>{@code NettyServerBuilder.channelFactory} takes it only together with explicit boss and worker
 * event loop groups, which the caller sets.
 */
public final class CappedServerChannel extends NioServerSocketChannel {
  private static final Logger LOG = LoggerFactory.getLogger(CappedServerChannel.class);

  private final Count count;

  private CappedServerChannel(Count count) {
    this.count = count;
  }

  /**
   * Channels of one listener sharing one count.
   *
   * @param listener names the listener and its key for the log line, e.g. {@code listen_address
   *     (max_connections = 1024)}
   * @param max the most connections open at once, at least 1
   */
  public static ChannelFactory<CappedServerChannel> factory(String listener, int max) {
    Count count = new Count(requireNonNull(listener, "listener"), max);
    return () -> new CappedServerChannel(count);
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

  /** Open connections of one listener. */
  private static final class Count {
    private final String listener;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean refusing = new AtomicBoolean();

    Count(String listener, int max) {
      if (max < 1) {
        throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
      }
      this.listener = listener;
      this.max = max;
    }

    boolean tryAcquire() {
      if (open.incrementAndGet() <= max) {
        return true;
      }
      open.decrementAndGet();
      if (refusing.compareAndSet(false, true)) {
        LOG.warn(
            "{}: {} connections are open, the most allowed; new connections are closed until one"
                + " ends",
            listener,
            max);
      }
      return false;
    }

    void release() {
      if (open.decrementAndGet() < max && refusing.compareAndSet(true, false)) {
        LOG.info("{}: below {} open connections again", listener, max);
      }
    }
  }
}
