package io.wruntime.engine.outbound;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.wruntime.common.http.WrHeaders;
import io.wruntime.common.net.HostPort;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingResponse;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.OutgoingRequest;
import io.wruntime.engine.server.BufferGauge;
import io.wruntime.engine.server.HttpFields;
import io.wruntime.engine.server.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * Sends modules' outgoing requests to the local proxy ({@code [node] proxy_address}) over HTTP/1.1,
 * with the routing headers the proxy needs: {@code x-wr-destination} (the original URI), {@code
 * x-wr-source}, {@code x-wr-source-ns} and the caller's {@code traceparent}; the module's own
 * {@code x-wr-*} headers are dropped.
 *
 * <p>Netty rather than {@code java.net.http.HttpClient}: the JDK client fixes the connect timeout
 * per client (wasi:http sets it per request), refuses some headers, and would need two Flow
 * adapters to stream bodies; with Netty both bodies use the same backpressure machinery as the
 * inbound server ({@code AUTO_READ} off, reads driven by the module, writes bounded by water
 * marks), and connections to the proxy are kept alive in a small pool.
 */
public final class ProxyOutboundClient implements OutboundClient, AutoCloseable {
  /** Connect timeout when the module set none. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  static final int RESPONSE_HIGH_WATER = 64 * 1024;
  private static final int MAX_IDLE = 64;
  private static final long IDLE_SECONDS = 60;
  private static final Set<String> METHODS_WITH_BODY = Set.of("POST", "PUT", "PATCH");

  private final HostPort proxy;
  private final long maxRequestBodyBytes;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final BufferGauge gauge;
  private final Bootstrap bootstrap;
  private final ConcurrentLinkedDeque<Channel> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  /**
   * @param proxy the local proxy
   * @param maxRequestBodyBytes {@code max_outbound_body_bytes}
   * @param group the event loops to run connections on (not closed by {@link #close()})
   */
  public ProxyOutboundClient(
      HostPort proxy, long maxRequestBodyBytes, EventLoopGroup group, BufferGauge gauge) {
    this(proxy, maxRequestBodyBytes, requireNonNull(group, "group"), false, gauge);
  }

  /** A client with its own event loop, closed with it. */
  public ProxyOutboundClient(HostPort proxy, long maxRequestBodyBytes) {
    this(
        proxy,
        maxRequestBodyBytes,
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()),
        true,
        new BufferGauge());
  }

  private ProxyOutboundClient(
      HostPort proxy,
      long maxRequestBodyBytes,
      EventLoopGroup group,
      boolean ownsGroup,
      BufferGauge gauge) {
    this.proxy = requireNonNull(proxy, "proxy");
    if (maxRequestBodyBytes < 0) {
      throw new IllegalArgumentException(
          "maxRequestBodyBytes: " + maxRequestBodyBytes + " (expected: >= 0)");
    }
    this.maxRequestBodyBytes = maxRequestBodyBytes;
    this.group = group;
    this.ownsGroup = ownsGroup;
    this.gauge = requireNonNull(gauge, "gauge");
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, HttpServer.WATER_MARK)
            .remoteAddress(proxy.toSocketAddress())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            "codec",
                            new HttpClientCodec(
                                new HttpDecoderConfig()
                                    .setMaxHeaderSize(16384)
                                    .setMaxChunkSize(16384),
                                false,
                                false))
                        .addLast("flow", new FlowControlHandler())
                        .addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                        .addLast("exchange", new ProxyClientHandler());
                  }
                });
  }

  /** What a request becomes before it goes on a connection. */
  record Prepared(
      OutgoingRequest request,
      HttpMethod method,
      HttpHeaders headers,
      long declaredLength,
      boolean chunked,
      byte[] first,
      boolean whole,
      Duration connectTimeout,
      Duration firstByteTimeout,
      Duration betweenBytesTimeout) {
    HttpRequest head() {
      HttpRequest head =
          new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, request.pathWithQuery());
      head.headers().set(headers);
      return head;
    }
  }

  @Override
  public CompletableFuture<IncomingResponse> send(OutgoingRequest request) {
    requireNonNull(request, "request");
    CompletableFuture<IncomingResponse> future = new CompletableFuture<>();
    Prepared prepared;
    try {
      prepared = prepare(request);
    } catch (OutboundException e) {
      request.body().discard();
      future.completeExceptionally(e);
      return future;
    }
    Channel pooled = pollIdle();
    if (pooled != null) {
      pooled.eventLoop().execute(() -> new ProxyCall(this, prepared, future, true).begin(pooled));
    } else {
      connect(prepared, future);
    }
    return future;
  }

  private Prepared prepare(OutgoingRequest request) {
    if (closed) {
      throw new OutboundException(HttpErrorCode.INTERNAL_ERROR, "the engine is shutting down");
    }
    String authority = request.authority();
    if (authority == null || authority.isBlank()) {
      throw new OutboundException(
          HttpErrorCode.HTTP_REQUEST_URI_INVALID,
          "the request has no authority (expected: http://namespace.module/path)");
    }
    if (!request.pathWithQuery().startsWith("/")) {
      throw new OutboundException(
          HttpErrorCode.HTTP_REQUEST_URI_INVALID,
          "path " + request.pathWithQuery() + " (expected: a path starting with /)");
    }
    HttpMethod method;
    try {
      method = HttpMethod.valueOf(request.method());
    } catch (IllegalArgumentException e) {
      throw new OutboundException(
          HttpErrorCode.HTTP_REQUEST_METHOD_INVALID, "method " + request.method() + " is invalid");
    }
    long declared;
    try {
      declared = OutboundHeaders.contentLength(request.headers());
    } catch (IllegalArgumentException e) {
      throw new OutboundException(HttpErrorCode.HTTP_REQUEST_DENIED, e.getMessage());
    }
    if (declared > maxRequestBodyBytes) {
      throw new OutboundException(
          HttpErrorCode.HTTP_REQUEST_BODY_SIZE,
          "content-length "
              + declared
              + " is larger than max_outbound_body_bytes ("
              + maxRequestBodyBytes
              + " bytes)");
    }
    byte[] first;
    // Whether first is the whole body (the module finished it before sending, as most do): then
    // the request goes out in one write, without a pump thread.
    boolean whole = false;
    BodySource body = request.body();
    try {
      first = body.isReadable() ? body.read(ProxyCall.CHUNK) : new byte[0];
      if (first != null && first.length > 0 && body.isReadable()) {
        byte[] next = body.read(ProxyCall.CHUNK);
        if (next == null) {
          whole = true;
        } else if (next.length > 0) {
          byte[] both = Arrays.copyOf(first, first.length + next.length);
          System.arraycopy(next, 0, both, first.length, next.length);
          first = both;
        }
      }
    } catch (IOException e) {
      throw new OutboundException(
          HttpErrorCode.INTERNAL_ERROR, "the request body failed: " + e.getMessage(), e);
    }
    if (first != null && first.length > maxRequestBodyBytes) {
      throw new OutboundException(
          HttpErrorCode.HTTP_REQUEST_BODY_SIZE, LimitedBodySource.message(maxRequestBodyBytes));
    }
    if (whole && declared >= 0 && first.length != declared) {
      throw new OutboundException(
          HttpErrorCode.HTTP_REQUEST_BODY_SIZE,
          "the request body has "
              + first.length
              + " bytes, but its content-length said "
              + declared);
    }
    HttpHeaders headers = new DefaultHttpHeaders();
    try {
      HttpFields.addTo(headers, OutboundHeaders.toProxy(request.headers()), Set.of());
    } catch (IllegalArgumentException e) {
      throw new OutboundException(
          HttpErrorCode.HTTP_REQUEST_HEADER_SIZE, "invalid request header: " + e.getMessage());
    }
    headers.set(HttpHeaderNames.HOST, authority);
    headers.set(WrHeaders.DESTINATION, OutboundHeaders.destination(request));
    headers.set(WrHeaders.SOURCE, OutboundHeaders.source(request.caller()));
    headers.set(WrHeaders.SOURCE_NS, request.caller().namespace());
    headers.set(WrHeaders.TRACEPARENT, Traceparent.propagate(request.caller().traceparent()));
    boolean chunked = false;
    if (declared >= 0) {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, declared);
      if (first == null && declared != 0) {
        throw new OutboundException(
            HttpErrorCode.HTTP_REQUEST_BODY_SIZE,
            "the request body is empty, but its content-length said " + declared);
      }
    } else if (first == null) {
      if (METHODS_WITH_BODY.contains(method.name())) {
        headers.set(HttpHeaderNames.CONTENT_LENGTH, 0);
      }
    } else {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      chunked = true;
    }
    return new Prepared(
        request,
        method,
        headers,
        declared,
        chunked,
        first,
        whole,
        request.connectTimeout(),
        request.firstByteTimeout(),
        request.betweenBytesTimeout());
  }

  private Channel pollIdle() {
    Channel ch;
    while ((ch = idle.pollFirst()) != null) {
      if (ch.isActive()) {
        return ch;
      }
    }
    return null;
  }

  private void connect(Prepared prepared, CompletableFuture<IncomingResponse> future) {
    Duration timeout =
        prepared.connectTimeout() == null ? DEFAULT_CONNECT_TIMEOUT : prepared.connectTimeout();
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    ChannelFuture connecting =
        bootstrap.clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis).connect();
    Channel ch = connecting.channel();
    ch.closeFuture().addListener(f -> idle.remove(ch));
    future.whenComplete(
        (r, e) -> {
          if (future.isCancelled() && !connecting.isDone()) {
            connecting.cancel(false);
          }
        });
    connecting.addListener(
        (ChannelFutureListener)
            f -> {
              if (f.isSuccess()) {
                new ProxyCall(this, prepared, future, false).begin(f.channel());
              } else {
                prepared.request().body().discard();
                future.completeExceptionally(connectError(f.cause(), timeout));
              }
            });
  }

  private OutboundException connectError(Throwable cause, Duration timeout) {
    if (cause instanceof ConnectTimeoutException) {
      return new OutboundException(
          HttpErrorCode.CONNECTION_TIMEOUT,
          "connecting to the proxy " + proxy + " timed out after " + timeout.toMillis() + " ms",
          cause);
    }
    if (cause instanceof ConnectException) {
      return new OutboundException(
          HttpErrorCode.CONNECTION_REFUSED,
          "the proxy " + proxy + " refused the connection ([node] proxy_address)",
          cause);
    }
    if (cause instanceof UnknownHostException) {
      return new OutboundException(
          HttpErrorCode.DNS_ERROR, "the proxy host " + proxy.host() + " is unknown", cause);
    }
    return new OutboundException(
        HttpErrorCode.DESTINATION_UNAVAILABLE,
        "cannot connect to the proxy " + proxy + ": " + cause,
        cause);
  }

  /** Sends again on a fresh connection (a pooled one was found closed). Event loop. */
  void retry(Prepared prepared, CompletableFuture<IncomingResponse> future) {
    connect(prepared, future);
  }

  /** Takes back a connection whose exchange ended cleanly. Event loop of {@code ch}. */
  void release(Channel ch) {
    if (closed || !ch.isActive() || idle.size() >= MAX_IDLE) {
      ch.close();
      return;
    }
    idle.addFirst(ch);
    // A read stays pending while idle, so that the proxy closing the connection is seen (and the
    // connection dropped from the pool) instead of found on the next request.
    ch.read();
  }

  HostPort proxy() {
    return proxy;
  }

  long maxRequestBodyBytes() {
    return maxRequestBodyBytes;
  }

  BufferGauge gauge() {
    return gauge;
  }

  /** Idle pooled connections now (for tests). */
  int idleConnections() {
    return (int) idle.stream().filter(Channel::isActive).count();
  }

  /** Closes idle connections; calls in flight carry on until they end. */
  @Override
  public void close() {
    closed = true;
    Channel ch;
    while ((ch = idle.pollFirst()) != null) {
      ch.close();
    }
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
