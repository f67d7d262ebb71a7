package io.wruntime.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.opentelemetry.api.trace.Span;
import io.wruntime.common.http.WrHeaders;
import io.wruntime.common.names.RpcPath;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.proxy.balance.LoadBalancer;
import io.wruntime.proxy.config.ProxyConfig.ValidationMode;
import io.wruntime.proxy.routing.Destination;
import io.wruntime.proxy.routing.Instance;
import io.wruntime.proxy.routing.Resolution;
import io.wruntime.proxy.routing.Resolution.Rejected;
import io.wruntime.proxy.telemetry.ProxyTracing;
import io.wruntime.proxy.validation.RequestValidator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a client connection's pipeline (an engine on {@code listen_address}, a peer proxy on
 * {@code peer_listen_address}). It reads one request at a time: resolves its destination, chooses
 * an instance, rewrites the routing headers and hands the request to an {@link Exchange}; or
 * answers with an error and discards the rest of the request body. The next request is read only
 * when the current exchange ended.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyHandler.class);

  /**
   * Most request-body bytes discarded after an error answer to keep the connection; beyond this the
   * connection closes.
   */
  static final long DRAIN_LIMIT = 8L * 1024 * 1024;

  /** Methods answered 405 by the proxy itself; every other method is forwarded. */
  static final List<String> REFUSED_METHODS = List.of("CONNECT", "TRACE");

  /**
   * The {@code Allow} header of the 405 for a refused method (RFC 9110 §15.5.6): the standard
   * methods the proxy forwards (it forwards any other method but {@link #REFUSED_METHODS} too).
   */
  static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH";

  private final Listener listener;
  private final ListenerKind kind;
  private final Forwarding forwarding;
  private final Upstreams pool;
  private final AtomicInteger inFlight;

  private ChannelHandlerContext ctx;
  private boolean inRequest;
  private Exchange exchange;
  private boolean requestEnded = true;
  private boolean draining;
  private long drained;
  private boolean closeWhenDone;
  private ChannelFuture lastResponse;
  private HttpRequest pending;
  private String caller;

  /** A handler without TLS or caller caps, every upstream through {@code pool} (handler tests). */
  ProxyHandler(ListenerKind kind, Forwarding forwarding, Upstreams pool, AtomicInteger inFlight) {
    this(new Listener(kind, forwarding, pool, pool, CallerLimits.NONE, false, inFlight));
  }

  ProxyHandler(Listener listener) {
    this.listener = listener;
    this.kind = listener.kind();
    this.forwarding = listener.forwarding();
    this.pool = listener.upstreams();
    this.inFlight = listener.inFlight();
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
      if (exchange != null || draining) {
        // A pipelined request that a spurious read let in: it waits for the current one.
        if (pending != null) {
          ReferenceCountUtil.release(msg);
          ctx.close();
          return;
        }
        pending = request;
        return;
      }
      onRequest(request);
      if (!(msg instanceof HttpContent)) {
        return;
      }
    }
    if (msg instanceof HttpContent content) {
      onContent(content);
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  private void onContent(HttpContent content) {
    if (content instanceof LastHttpContent) {
      requestEnded = true;
    }
    if (exchange != null && exchange.acceptsRequestBody()) {
      exchange.onRequestContent(content);
      return;
    }
    if (draining) {
      drained += content.content().readableBytes();
      content.release();
      if (requestEnded) {
        draining = false;
        next();
      } else if (drained > DRAIN_LIMIT) {
        close();
      } else {
        ctx.read();
      }
      return;
    }
    content.release();
  }

  private void onRequest(HttpRequest request) {
    long start = System.nanoTime();
    requestEnded = false;
    inRequest = true;
    inFlight.incrementAndGet();
    HttpHeaders headers = request.headers();
    String source = headers.get(WrHeaders.SOURCE, "unknown");
    Span span =
        forwarding.tracing().startRequest(headers, request.method().name(), source, "unknown");
    Refusal refusal = admit(request, headers, span);
    if (refusal != null) {
      respond(
          refusal.rejected(),
          refusal.retryAfter(),
          refusal.keepAlive(),
          source,
          "unknown",
          span,
          start);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    Destination destination;
    try {
      destination = Destination.parse(headers.get(WrHeaders.DESTINATION));
    } catch (IllegalArgumentException e) {
      respond(
          new Rejected(400, "invalid_destination", WrHeaders.DESTINATION + " " + e.getMessage()),
          null,
          keepAlive,
          source,
          "unknown",
          span,
          start);
      return;
    }
    String label = destination.host();
    span.setAttribute(ProxyTracing.DESTINATION, label);
    Resolution resolution =
        forwarding
            .router()
            .resolve(destination, headers.get(WrHeaders.VERSION), kind == ListenerKind.PEER);
    LoadBalancer.Chosen chosen = null;
    HostPort target;
    Upstreams upstreams = pool;
    Exchange.Validation validation = null;
    switch (resolution) {
      case Resolution.Rejected rejected -> {
        respond(rejected, null, keepAlive, source, label, span, start);
        return;
      }
      case Resolution.Egress egress -> {
        target = new HostPort(destination.host(), destination.effectivePort());
        ForwardHeaders.stripWrHeaders(headers);
      }
      case Resolution.Internal internal -> {
        LoadBalancer.Choice choice =
            forwarding
                .balancer()
                .choose(internal.namespace(), internal.module(), internal.candidates());
        if (choice instanceof LoadBalancer.AllOpen open) {
          respond(
              new Rejected(
                  503,
                  "circuit_open",
                  "every instance of "
                      + label
                      + " failed repeatedly; their circuits are open (expected: a retry after"
                      + " Retry-After seconds)"),
              open.retryAfter(),
              keepAlive,
              source,
              label,
              span,
              start);
          return;
        }
        chosen = (LoadBalancer.Chosen) choice;
        Instance instance = chosen.instance();
        target = instance.target();
        upstreams = instance.local() ? pool : listener.peers();
        String version = instance.version().toString();
        if (instance.local()) {
          ForwardHeaders.toLocalEngine(headers, internal.namespace(), internal.module(), version);
        } else {
          ForwardHeaders.toPeer(headers, version);
        }
        validation = validation(request, internal, version, destination);
      }
    }
    ForwardHeaders.stripHopByHop(headers);
    headers.set(HttpHeaderNames.HOST, destination.authority());
    request.setUri(destination.pathAndQuery());
    boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    exchange =
        new Exchange(
            this,
            ctx,
            forwarding,
            upstreams,
            request,
            http10,
            keepAlive,
            chosen,
            target,
            source,
            label,
            span,
            start,
            validation);
    exchange.start();
  }

  /**
   * Checks what needs no destination: the request's framing, its method, that a routing table has
   * arrived, the peer listener's caller, and the calling instance's cap (taken here when granted).
   *
   * @return why the proxy answers the request itself, or null when it goes on to be routed
   */
  private Refusal admit(HttpRequest request, HttpHeaders headers, Span span) {
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      int status =
          cause instanceof TooLongHttpHeaderException
              ? 431
              : cause instanceof TooLongHttpLineException ? 414 : 400;
      String code =
          cause instanceof TooLongFrameException ? "request_too_large" : "malformed_request";
      // The framing of what follows cannot be trusted: answer and close.
      closeWhenDone = true;
      requestEnded = true;
      return new Refusal(
          new Rejected(status, code, "the request is malformed: " + cause.getMessage()),
          null,
          false);
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    HttpMethod method = request.method();
    if (REFUSED_METHODS.contains(method.name())) {
      // CONNECT asks for a tunnel, whose bytes after the head are no HTTP body; TRACE would echo
      // the mesh's routing headers. Neither is forwarded; the connection lives on.
      return new Refusal(
          new Rejected(
              405,
              "method_not_allowed",
              "method: "
                  + method.name()
                  + " is not forwarded (expected: any method but "
                  + String.join(" and ", REFUSED_METHODS)
                  + ", e.g. GET, POST, PUT, DELETE; the proxy opens no tunnels)",
              Map.of("method", method.name(), "refused_methods", REFUSED_METHODS)),
          null,
          keepAlive);
    }
    if (!forwarding.hasTable().getAsBoolean()) {
      return new Refusal(
          new Rejected(
              503,
              "routing_table_unavailable",
              "no routing table has arrived from the manager at "
                  + forwarding.managerAddress()
                  + " yet (expected: the manager to answer WatchRoutingTable)"),
          Duration.ofSeconds(1),
          keepAlive);
    }
    if (listener.authenticated()) {
      CallerIdentity peer = peerNode();
      if (peer == null) {
        // The handshake verified every connection of this listener: this cannot happen, and
        // nothing of an unverified caller is trusted if it does.
        closeWhenDone = true;
        return new Refusal(
            new Rejected(
                403,
                "unauthenticated_peer",
                "the peer listener takes only calls of proxies with a node certificate of this"
                    + " deployment's CA (expected: mutual TLS)"),
            null,
            false);
      }
      span.setAttribute(ProxyTracing.PEER_NODE, peer.name());
    }
    if (kind == ListenerKind.PEER) {
      span.setAttribute(
          ProxyTracing.PROTOCOL, ctx.channel() instanceof Http2StreamChannel ? "2" : "1.1");
    }
    if (kind == ListenerKind.PEER && !"1".equals(headers.get(WrHeaders.VIA_PROXY))) {
      return new Refusal(
          new Rejected(
              403,
              "not_via_proxy",
              "the peer listener takes only calls forwarded by other proxies (expected: "
                  + WrHeaders.VIA_PROXY
                  + ": 1)"),
          null,
          keepAlive);
    }
    String callerKey = callerKey(headers);
    if (!listener.callers().tryAcquire(callerKey)) {
      CallerLimits limits = listener.callers();
      return new Refusal(
          new Rejected(
              429,
              "caller_limit",
              callerKey
                  + " has "
                  + limits.max()
                  + " requests in flight through this proxy (expected: at most [limits] "
                  + limits.configKey()
                  + " = "
                  + limits.max()
                  + " at once; retry after Retry-After seconds)",
              Map.of("caller", callerKey, "limit", limits.configKey(), "max", limits.max())),
          Duration.ofSeconds(1),
          keepAlive);
    }
    caller = callerKey;
    return null;
  }

  /** The proxy's own answer to a request refused before its destination is known. */
  private record Refusal(Rejected rejected, Duration retryAfter, boolean keepAlive) {}

  private Exchange.Validation validation(
      HttpRequest request, Resolution.Internal internal, String version, Destination destination) {
    if (kind != ListenerKind.INTERNAL
        || forwarding.validation().mode() != ValidationMode.ENFORCE
        || !RequestValidator.isProtobuf(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
      return null;
    }
    RpcPath path = RequestValidator.rpcPath(destination.pathAndQuery());
    if (path == null) {
      return null;
    }
    return new Exchange.Validation(
        internal.namespace(),
        internal.module(),
        version,
        path,
        forwarding.validation().maxBodyBytes());
  }

  /** Answers the current request with the proxy's own error. */
  private void respond(
      Rejected rejected,
      Duration retryAfter,
      boolean keepAlive,
      String source,
      String destination,
      Span span,
      long start) {
    ExchangeObservers.completed(
        new Completion(
            source,
            destination,
            null,
            LoadBalancer.Outcome.CANCELLED,
            rejected.status(),
            0,
            rejected.code(),
            rejected.message(),
            System.nanoTime() - start,
            0,
            0),
        null,
        forwarding.metrics(),
        span,
        null);
    FullHttpResponse response =
        ErrorResponses.of(ctx.alloc(), rejected, keepAlive && !closeWhenDone, retryAfter);
    if (rejected.status() == 405) {
      response.headers().set(HttpHeaderNames.ALLOW, ALLOWED_METHODS);
    }
    ChannelFuture written = ctx.writeAndFlush(response);
    ended(keepAlive, written);
  }

  /**
   * The exchange is over. What remains is this connection's: discard the rest of the request body,
   * then read the next request or close.
   *
   * @param written the write of the last response message, or null when it already completed
   */
  void exchangeEnded(Exchange ended, boolean keepAlive, ChannelFuture written) {
    if (ended != exchange) {
      return;
    }
    exchange = null;
    ended(keepAlive, written);
  }

  private void ended(boolean keepAlive, ChannelFuture written) {
    leaveRequest();
    lastResponse = written;
    closeWhenDone |= !keepAlive;
    if (!ctx.channel().isActive()) {
      return;
    }
    if (!requestEnded) {
      draining = true;
      drained = 0;
      ctx.read();
      return;
    }
    next();
  }

  private void next() {
    if (closeWhenDone) {
      close();
      return;
    }
    HttpRequest queued = pending;
    pending = null;
    if (queued != null) {
      onRequest(queued);
    } else {
      ctx.read();
    }
  }

  /** Closes once the last response is written. */
  private void close() {
    ChannelFuture written = lastResponse;
    if (written == null || written.isDone()) {
      ctx.close();
    } else {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void leaveRequest() {
    if (inRequest) {
      inRequest = false;
      inFlight.decrementAndGet();
    }
    if (caller != null) {
      listener.callers().release(caller);
      caller = null;
    }
  }

  /**
   * Who the request counts against: on the peer listener the calling node (by its certificate) or,
   * without TLS, the calling address; on the internal listener the calling module, which the engine
   * names in {@code x-wr-source}.
   */
  private String callerKey(HttpHeaders headers) {
    if (kind == ListenerKind.PEER) {
      CallerIdentity peer = peerNode();
      if (peer != null) {
        return peer.toString();
      }
      return ctx.channel().remoteAddress() instanceof InetSocketAddress inet
          ? "peer " + inet.getAddress().getHostAddress()
          : "peer " + ctx.channel().remoteAddress();
    }
    String module = headers.get(WrHeaders.SOURCE);
    return module == null ? "module unknown" : "module " + module;
  }

  /** The node whose certificate the connection was verified with, or null without TLS. */
  private CallerIdentity peerNode() {
    Channel connection =
        ctx.channel() instanceof Http2StreamChannel stream ? stream.parent() : ctx.channel();
    return connection.attr(PeerInitializer.PEER).get();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Exchange current = exchange;
    if (current != null) {
      current.onDownstreamReadComplete();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange current = exchange;
    exchange = null;
    if (current != null) {
      current.onDownstreamClosed();
    }
    leaveRequest();
    if (pending != null) {
      ReferenceCountUtil.release(pending);
      pending = null;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      Exchange current = exchange;
      if (current == null) {
        ctx.close(); // idle between requests
      } else {
        current.onIdle();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
