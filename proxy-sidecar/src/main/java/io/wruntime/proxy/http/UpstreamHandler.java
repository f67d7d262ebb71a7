package io.wruntime.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of an upstream connection's pipeline: hands what the upstream sends to the exchange the
 * connection serves. Between exchanges (idle in the pool) the upstream has nothing to say: anything
 * it sends then is released and the connection closed, and so is a connection idle for too long.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamHandler.class);

  private final Upstreams pool;
  private Exchange exchange;

  UpstreamHandler(Upstreams pool) {
    this.pool = pool;
  }

  /** Binds the connection to {@code exchange}; null when it goes back to the pool. */
  void attach(Exchange exchange) {
    this.exchange = exchange;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Exchange current = exchange;
    if (current == null) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    current.onUpstreamMessage(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Exchange current = exchange;
    if (current != null) {
      current.onUpstreamReadComplete();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange current = exchange;
    exchange = null;
    if (current == null) {
      pool.remove(ctx.channel());
    } else {
      current.onUpstreamClosed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && exchange == null) {
      ctx.close();
      return;
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("upstream connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    Exchange current = exchange;
    if (current != null) {
      current.onUpstreamError(cause);
    }
    ctx.close();
  }
}
