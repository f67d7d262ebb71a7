package io.wruntime.engine.outbound;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a connection to the proxy: hands messages to the {@link ProxyCall} using the
 * connection now. A pooled connection has no call; anything arriving then is unexpected and closes
 * it. Event loop only.
 */
final class ProxyClientHandler extends ChannelInboundHandlerAdapter {
  private ProxyCall call;

  void attach(ProxyCall call) {
    this.call = call;
  }

  void detach(ProxyCall call) {
    if (this.call == call) {
      this.call = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ProxyCall current = call;
    if (current == null) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    if (msg instanceof HttpResponse head) {
      current.onResponseHead(head);
    }
    if (msg instanceof HttpContent content) {
      current.onContent(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ProxyCall current = call;
    if (current != null) {
      current.writabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ProxyCall current = call;
    call = null;
    if (current != null) {
      current.connectionLost(null);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && call == null) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ProxyCall current = call;
    if (current != null) {
      current.connectionLost(cause);
    }
    ctx.close();
  }
}
