package io.wruntime.common.admin;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.netty.ConnectionLimit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The admin listener of the manager and the operator: {@code GET /healthz} (the process is up),
 * {@code GET /readyz} (the server says it serves; 503 with its reason otherwise) and {@code GET
 * /metrics} (Prometheus text). {@code HEAD} is answered too; other methods get 405 with {@code
 * Allow}, other paths 404, both with a JSON error.
 *
 * <p>Probes and scrapes are small and few, so the listener is bounded tightly: at most {@link
 * #MAX_CONNECTIONS} connections (more are closed at once), a request must arrive whole within
 * {@link #REQUEST_TIMEOUT} of the connection's start or of the previous response (a slow sender
 * cannot hold a connection), a connection idle for {@link #IDLE_TIMEOUT} is closed, and a request
 * head larger than 8 KiB or any body beyond that is refused.
 */
public final class AdminServer implements AutoCloseable {
  /** The most connections open at once. */
  public static final int MAX_CONNECTIONS = 64;

  /** How long a whole request may take to arrive. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** How long a connection may stay without traffic. */
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  private static final int MAX_REQUEST_BYTES = 8192;
  private static final String JSON = "application/json";
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

  private final Channel channel;
  private final EventLoopGroup group;

  private AdminServer(Channel channel, EventLoopGroup group) {
    this.channel = channel;
    this.group = group;
  }

  /**
   * Binds {@code address} and starts serving.
   *
   * @param notReady null when the server is ready, else why it is not (the {@code /readyz} detail)
   * @param metrics renders the Prometheus text exposition
   * @throws IOException when the address cannot be bound
   */
  public static AdminServer start(
      HostPort address, Supplier<String> notReady, Supplier<String> metrics) throws IOException {
    requireNonNull(address, "address");
    requireNonNull(notReady, "notReady");
    requireNonNull(metrics, "metrics");
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, Thread.ofPlatform().name("admin-", 0).daemon().factory(), NioIoHandler.newFactory());
    // The suppliers may take a moment (a metrics rendering): they run off the event loop.
    Executor answers =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("admin-", 0).factory());
    ConnectionLimit limit =
        new ConnectionLimit(
            "admin_address (max " + MAX_CONNECTIONS + " connections)", MAX_CONNECTIONS);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            // One request at a time per connection, read only once the previous one is answered:
            // pipelined requests are answered in order and a client cannot queue work up.
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast("limit", limit)
                        .addLast(
                            "codec",
                            new HttpServerCodec(4096, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES))
                        .addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                        .addLast("flow", new FlowControlHandler())
                        .addLast(
                            "idle",
                            new IdleStateHandler(0, 0, IDLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                        .addLast("admin", new Endpoints(notReady, metrics, answers));
                  }
                });
    ChannelFuture bind = bootstrap.bind(address.toSocketAddress()).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      Throwable cause = bind.cause();
      throw new IOException("cannot listen on " + address + ": " + cause.getMessage(), cause);
    }
    return new AdminServer(bind.channel(), group);
  }

  /** The bound address (the real port when configured as 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** One connection: one request at a time, each answered in full. */
  private static final class Endpoints extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Supplier<String> notReady;
    private final Supplier<String> metrics;
    private final Executor answers;
    private ScheduledFuture<?> deadline;

    Endpoints(Supplier<String> notReady, Supplier<String> metrics, Executor answers) {
      this.notReady = notReady;
      this.metrics = metrics;
      this.answers = answers;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      awaitRequest(ctx);
      ctx.read();
      super.channelActive(ctx);
    }

    /**
     * Closes the connection unless a whole request arrives within REQUEST_TIMEOUT. Event loop only,
     * as is {@link #deadline}.
     */
    private void awaitRequest(ChannelHandlerContext ctx) {
      deadline =
          ctx.executor()
              .schedule(() -> ctx.close(), REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
      HttpMethod method = request.method();
      String path = new QueryStringDecoder(request.uri()).path();
      boolean head = method.equals(HttpMethod.HEAD);
      if (!request.decoderResult().isSuccess()) {
        respond(
            ctx, false, false, 400, JSON, error("malformed request", "malformed_request"), null);
        return;
      }
      if (!method.equals(HttpMethod.GET) && !head) {
        respond(
            ctx,
            keepAlive,
            false,
            405,
            JSON,
            error(
                "method " + method + " is not allowed on " + path + " (expected: GET or HEAD)",
                "method_not_allowed"),
            "GET, HEAD");
        return;
      }
      switch (path) {
        case "/healthz" -> respond(ctx, keepAlive, head, 200, JSON, "{\"status\":\"ok\"}", null);
        case "/readyz" ->
            answers.execute(
                () -> {
                  String reason = notReady.get();
                  if (reason == null) {
                    respond(ctx, keepAlive, head, 200, JSON, "{\"status\":\"ready\"}", null);
                  } else {
                    respond(
                        ctx,
                        keepAlive,
                        head,
                        503,
                        JSON,
                        "{\"status\":\"not ready\",\"detail\":\"" + escape(reason) + "\"}",
                        null);
                  }
                });
        case "/metrics" ->
            answers.execute(
                () -> respond(ctx, keepAlive, head, 200, PROMETHEUS, metrics.get(), null));
        default ->
            respond(
                ctx,
                keepAlive,
                head,
                404,
                JSON,
                error(
                    "no admin endpoint at " + path + " (expected: /healthz, /readyz or /metrics)",
                    "not_found"),
                null);
      }
    }

    private void respond(
        ChannelHandlerContext ctx,
        boolean keepAlive,
        boolean head,
        int status,
        String contentType,
        String body,
        String allow) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(status),
              head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      if (allow != null) {
        response.headers().set(HttpHeaderNames.ALLOW, allow);
      }
      HttpUtil.setKeepAlive(response, keepAlive);
      ChannelFuture written = ctx.writeAndFlush(response);
      if (keepAlive) {
        // Listeners run on the event loop.
        written.addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    awaitRequest(ctx);
                    ctx.read();
                  } else {
                    ctx.close();
                  }
                });
      } else {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (deadline != null) {
        deadline.cancel(false);
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static String error(String message, String code) {
    return "{\"error\":\"" + escape(message) + "\",\"code\":\"" + code + "\"}";
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
