package io.wruntime.engine.server;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.IncomingRequest;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 connection: one exchange at a time. The request head goes to the {@link
 * RequestHandler} at once; the body follows through a {@link ChannelBodySource} that reads from the
 * socket only as the reader consumes; the next request is read only after the response ended.
 *
 * <p>A response may end before its request body did (an error, a module that ignores the body): the
 * rest of the body is then read and dropped, up to {@link #DRAIN_LIMIT}, so the connection can be
 * reused; a longer body closes the connection instead.
 */
final class HttpExchangeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(HttpExchangeHandler.class);

  /** Bytes of an unread request body the server reads and drops to keep a connection. */
  static final long DRAIN_LIMIT = 1024 * 1024;

  private final RequestHandler handler;
  private final BufferGauge gauge;
  private final int bodyHighWater;

  // Event loop only.
  private Exchange current;
  private ChannelHandlerContext ctx;

  HttpExchangeHandler(RequestHandler handler, BufferGauge gauge, int bodyHighWater) {
    this.handler = requireNonNull(handler, "handler");
    this.gauge = requireNonNull(gauge, "gauge");
    this.bodyHighWater = bodyHighWater;
  }

  private static final class Exchange {
    ChannelBodySource body;
    ChannelResponse response;
    WritabilityGate gate;
    boolean responseDone;
    boolean draining;
    long drained;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      onRequest(request);
    }
    if (msg instanceof HttpContent content) {
      onContent(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onRequest(HttpRequest request) {
    if (current != null) {
      // Only one exchange at a time: the next request is read after the response ended.
      LOG.debug("request head while an exchange is active on {}; closing", ctx.channel());
      ctx.close();
      return;
    }
    Exchange exchange = new Exchange();
    current = exchange;
    boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    boolean keepAlive = HttpUtil.isKeepAlive(request) && !http10;
    exchange.gate = new WritabilityGate(ctx.channel());
    exchange.response =
        new ChannelResponse(
            ctx,
            keepAlive && request.decoderResult().isSuccess(),
            http10,
            HttpMethod.HEAD.equals(request.method()),
            exchange.gate,
            this::responseDone);
    exchange.body =
        new ChannelBodySource(
            ctx.executor(), this::readFromBody, this::bodyDiscarded, bodyHighWater, gauge);
    if (!request.decoderResult().isSuccess()) {
      Throwable cause = request.decoderResult().cause();
      boolean tooLong = cause instanceof TooLongFrameException;
      exchange.body.fail(new IOException("malformed request: " + cause.getMessage()));
      exchange.response.fail(
          new EngineError(
              tooLong ? 431 : 400,
              tooLong ? "request_header_too_large" : "malformed_request",
              (tooLong ? "request line or headers too large: " : "malformed HTTP request: ")
                  + cause.getMessage()));
      return;
    }
    String authority = request.headers().get(HttpHeaderNames.HOST);
    String pathWithQuery = pathWithQuery(request.uri());
    if (pathWithQuery == null) {
      exchange.body.fail(new IOException("malformed request target"));
      exchange.response.fail(
          new EngineError(
              400,
              "malformed_request",
              "request target \""
                  + request.uri()
                  + "\" is not valid (expected: /path?query or http://host/path)"));
      return;
    }
    IncomingRequest incoming =
        new IncomingRequest(
            request.method().name(),
            "http",
            authority,
            pathWithQuery,
            HttpFields.fromHeaders(request.headers()),
            exchange.body);
    try {
      handler.handle(incoming, exchange.response);
    } catch (RuntimeException e) {
      LOG.error("request handler failed for {} {}", request.method(), pathWithQuery, e);
      exchange.response.fail(
          new EngineError(500, "internal_error", "the engine failed: " + e.getMessage()));
    }
    if (current == exchange) {
      exchange.body.start();
    }
  }

  private void onContent(HttpContent content) {
    Exchange exchange = current;
    if (exchange == null) {
      content.release();
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (!content.decoderResult().isSuccess()) {
      content.release();
      exchange.body.fail(
          new IOException(
              "malformed request body: " + content.decoderResult().cause().getMessage()));
      ctx.close();
      return;
    }
    if (exchange.draining) {
      exchange.drained += content.content().readableBytes();
      content.release();
      if (last) {
        nextExchange();
      } else if (exchange.drained > DRAIN_LIMIT) {
        ctx.close();
      } else {
        ctx.read();
      }
      return;
    }
    exchange.body.onContent(content);
    if (last && exchange.responseDone) {
      nextExchange();
    }
  }

  /** The body source asks for the next message; it may ask from any thread. */
  private void readFromBody() {
    if (ctx.executor().inEventLoop()) {
      ctx.read();
    } else {
      ctx.executor().execute(ctx::read);
    }
  }

  private void bodyDiscarded() {
    // The reader does not want the rest; it is drained (or the connection closed) once the
    // response ended, in responseDone.
  }

  private void responseDone(ChannelResponse response, boolean reusable) {
    Exchange exchange = current;
    if (exchange == null || exchange.response != response) {
      return;
    }
    exchange.responseDone = true;
    if (!reusable) {
      ctx.close();
      return;
    }
    if (exchange.body.isEnded()) {
      nextExchange();
    } else {
      exchange.body.discard();
      exchange.draining = true;
      exchange.drained = 0;
      // One read in flight at a time: a second one could fetch a pipelined request's head early.
      if (!exchange.body.isReadPending()) {
        ctx.read();
      }
    }
  }

  private void nextExchange() {
    current = null;
    ctx.read();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Exchange exchange = current;
    if (exchange != null) {
      exchange.gate.changed();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange exchange = current;
    current = null;
    if (exchange != null) {
      exchange.body.fail(
          new IOException("the client closed the connection before the request body ended"));
      exchange.response.connectionClosed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && current == null) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("connection {} failed: {}", ctx.channel(), cause.toString());
    ctx.close();
  }

  /** The origin-form target of a request line, or null when it is not a valid one. */
  static String pathWithQuery(String uri) {
    if (uri.startsWith("/")) {
      return uri;
    }
    if (uri.equals("*")) {
      return uri;
    }
    try {
      URI parsed = new URI(uri);
      if (parsed.getScheme() == null || parsed.getRawAuthority() == null) {
        return null;
      }
      String path =
          parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
      return parsed.getRawQuery() == null ? path : path + "?" + parsed.getRawQuery();
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
