package io.wruntime.proxy.node;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server channel of the NodeService listener (gRPC's shaded Netty, which offers no handler on
 * the server channel): a connection accepted beyond {@code max} open ones is closed at once. Logs
 * once when refusing starts.
 */
public final class CappedServerSocketChannel extends NioServerSocketChannel {
  private static final Logger LOG = LoggerFactory.getLogger(CappedServerSocketChannel.class);

  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  // Accepts happen on this channel's event loop only.
  private boolean refusing;

  public CappedServerSocketChannel(int max) {
    this.max = max;
  }

  @Override
  protected int doReadMessages(List<Object> buf) throws Exception {
    int before = buf.size();
    int accepted = super.doReadMessages(buf);
    if (accepted <= 0 || buf.size() <= before) {
      return accepted;
    }
    Channel child = (Channel) buf.get(buf.size() - 1);
    if (open.get() >= max) {
      buf.remove(buf.size() - 1);
      if (!refusing) {
        refusing = true;
        LOG.warn(
            "control_address: {} connections are open, closing new ones (expected: at most"
                + " [limits] max_control_connections = {})",
            open.get(),
            max);
      }
      child.unsafe().closeForcibly();
      // Ends this read; the next connection waiting is accepted (or refused) on the next one.
      return 0;
    }
    if (refusing) {
      refusing = false;
      LOG.info("control_address: accepting connections again");
    }
    open.incrementAndGet();
    child.closeFuture().addListener(f -> open.decrementAndGet());
    return accepted;
  }
}
