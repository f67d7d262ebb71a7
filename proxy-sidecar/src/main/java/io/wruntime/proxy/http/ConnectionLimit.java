package io.wruntime.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a listener's server channel: closes every accepted connection beyond {@code max} open ones
 * before anything is read from it, so a flood of connections ends at the cap instead of at the
 * process's file-descriptor limit. Logs once when refusing starts, not per connection.
 */
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);

  private final int max;
  private final String listener;
  private final String configKey;
  private final AtomicInteger open = new AtomicInteger();
  // Accepts happen on the server channel's event loop only.
  private boolean refusing;

  /**
   * @param listener the listener's configuration key, for the log line
   * @param configKey the {@code [limits]} key of {@code max}
   */
  ConnectionLimit(int max, String listener, String configKey) {
    this.max = max;
    this.listener = listener;
    this.configKey = configKey;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Channel child) {
      if (open.get() >= max) {
        if (!refusing) {
          refusing = true;
          LOG.warn(
              "{}: {} connections are open, closing new ones (expected: at most [limits] {} = {})",
              listener,
              open.get(),
              configKey,
              max);
        }
        child.unsafe().closeForcibly();
        return;
      }
      if (refusing) {
        refusing = false;
        LOG.info("{}: accepting connections again", listener);
      }
      open.incrementAndGet();
      child.closeFuture().addListener(f -> open.decrementAndGet());
    }
    ctx.fireChannelRead(msg);
  }

  /** Connections open now. */
  int open() {
    return open.get();
  }
}
