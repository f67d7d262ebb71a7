package io.wruntime.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Behind an {@code IdleStateHandler} on an HTTP/2 connection: closes the connection when it was
 * idle and carries no stream. A stream that waits (a slow upstream) keeps its connection; the
 * stream's own idle timeout ends the stream.
 */
final class Http2ConnectionIdle extends ChannelInboundHandlerAdapter {
  private final Http2FrameCodec codec;

  Http2ConnectionIdle(Http2FrameCodec codec) {
    this.codec = codec;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (codec.connection().numActiveStreams() == 0) {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }
}
