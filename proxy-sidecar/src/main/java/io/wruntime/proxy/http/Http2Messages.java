package io.wruntime.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * After {@code Http2StreamFrameToHttpObjectCodec} on a stream channel: makes an HTTP/2 stream look
 * exactly like an HTTP/1.1 message to the handlers that follow. A stream whose headers end it
 * arrives from the codec as one full message; it leaves here as a head and a {@code
 * LastHttpContent} (the exchange forwards heads and bodies separately). The codec's {@code
 * x-http2-*} extension headers (stream id, scheme) are removed: they describe this hop only.
 */
final class Http2Messages extends ChannelInboundHandlerAdapter {
  private static final String EXTENSION_PREFIX = "x-http2-";

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpMessage message) {
      stripExtensions(message.headers());
    }
    if (msg instanceof FullHttpRequest full) {
      ctx.fireChannelRead(
          new DefaultHttpRequest(
              full.protocolVersion(), full.method(), full.uri(), full.headers().copy()));
      ctx.fireChannelRead(last(full));
      return;
    }
    if (msg instanceof FullHttpResponse full) {
      ctx.fireChannelRead(
          new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers().copy()));
      ctx.fireChannelRead(last(full));
      return;
    }
    ctx.fireChannelRead(msg);
  }

  /** The body and trailers of {@code full}; its buffer moves to the returned message. */
  private static DefaultLastHttpContent last(FullHttpMessage full) {
    DefaultLastHttpContent last = new DefaultLastHttpContent(full.content());
    last.trailingHeaders().set(full.trailingHeaders());
    return last;
  }

  static void stripExtensions(HttpHeaders headers) {
    List<String> names = new ArrayList<>();
    for (String name : headers.names()) {
      if (name.toLowerCase(Locale.ROOT).startsWith(EXTENSION_PREFIX)) {
        names.add(name);
      }
    }
    names.forEach(headers::remove);
  }
}
