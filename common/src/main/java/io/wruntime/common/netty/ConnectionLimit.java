package io.wruntime.common.netty;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the open connections of one listener: the first handler of every accepted connection's
 * pipeline, shared by all of them. A connection beyond the cap is closed as soon as it is active,
 * before anything is read from it, so a flood of idle connections cannot take the process's file
 * descriptors (and with them every other listener and outgoing call). Reaching the cap is logged
 * once, and again only after the listener was back under it.
 */
@ChannelHandler.Sharable
public final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);

  private final String listener;
  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicBoolean refusing = new AtomicBoolean();

  /**
   * @param listener names the listener and its key in the log line, e.g. {@code listen_address
   *     (max_connections = 1024)}
   * @param max the most connections open at once, at least 1
   */
  public ConnectionLimit(String listener, int max) {
    this.listener = requireNonNull(listener, "listener");
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
    }
    this.max = max;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      if (refusing.compareAndSet(false, true)) {
        LOG.warn(
            "{}: {} connections are open, the most allowed; new connections are closed until one"
                + " ends",
            listener,
            max);
      }
      ctx.close();
      return;
    }
    ctx.channel()
        .closeFuture()
        .addListener(
            f -> {
              if (open.decrementAndGet() < max && refusing.compareAndSet(true, false)) {
                LOG.info("{}: below {} open connections again", listener, max);
              }
            });
    ctx.pipeline().remove(this);
    ctx.fireChannelActive();
  }

  /** Connections open now. */
  public int open() {
    return open.get();
  }
}
