package io.wruntime.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wruntime.common.net.HostPort;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A stand-in for an engine: a real Netty HTTP server on a loopback port that records each request's
 * headers and answers as told. In {@link Mode#ECHO} it streams the request body back as it arrives
 * (response headers first, before the body ended), with backpressure.
 */
final class FakeEngine implements AutoCloseable {
  enum Mode {
    /** 200, chunked, the request body streamed back as it arrives. */
    ECHO,
    /** Reads the whole body, then answers {@link #status} with {@link #body}. */
    FIXED,
    /** Reads the request head, then closes the connection without answering. */
    RESET,
    /** Sends response headers and one chunk, then closes mid-body. */
    RESET_MID_RESPONSE,
    /** Never answers. */
    SILENT,
    /** Reads the whole body, then answers "BYTES CRC32" of it. */
    COUNT,
    /** Reads the whole body, then streams {@link #generate} bytes back, with backpressure. */
    GENERATE
  }

  /** A request as the engine saw it. */
  record Recorded(String method, String uri, HttpHeaders headers) {}

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Channel server;
  final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
  final AtomicLong bodyBytes = new AtomicLong();
  final AtomicInteger closedConnections = new AtomicInteger();
  volatile Mode mode = Mode.ECHO;
  volatile int status = 200;
  volatile String body = "ok";
  volatile long generate;

  /** In {@link Mode#FIXED}: the status for requests to a module ({@code x-wr-module}). */
  final Map<String, Integer> moduleStatus = new ConcurrentHashMap<>();

  /** In {@link Mode#FIXED}: headers added to every answer. */
  final Map<String, String> responseHeaders = new ConcurrentHashMap<>();

  FakeEngine() throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    ch.closeFuture().addListener(f -> closedConnections.incrementAndGet());
                    ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  FakeEngine mode(Mode mode) {
    this.mode = mode;
    return this;
  }

  FakeEngine answer(int status, String body) {
    this.mode = Mode.FIXED;
    this.status = status;
    this.body = body;
    return this;
  }

  /** In {@link Mode#FIXED}, answers {@code status} to requests for {@code module}. */
  FakeEngine answer(String module, int status) {
    moduleStatus.put(module, status);
    return this;
  }

  HostPort address() {
    return new HostPort("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort());
  }

  /** The next recorded request, waiting up to 10 s. */
  Recorded next() throws InterruptedException {
    Recorded r = requests.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("the fake engine at " + address() + " got no request");
    }
    return r;
  }

  /** The byte at {@code offset} of the bodies tests send and generate. */
  static byte pattern(long offset) {
    return (byte) (offset * 31 + (offset >>> 13));
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    private Mode current;
    private int currentStatus;
    private boolean head;
    private final CRC32 crc = new CRC32();
    private long count;
    private long remaining;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        current = mode;
        String module = request.headers().get("x-wr-module");
        currentStatus = module == null ? status : moduleStatus.getOrDefault(module, status);
        head = request.method().name().equals("HEAD");
        crc.reset();
        count = 0;
        requests.add(
            new Recorded(
                request.method().name(),
                request.uri(),
                new DefaultHttpHeaders().add(request.headers())));
        switch (current) {
          case ECHO -> {
            HttpResponse response =
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setTransferEncodingChunked(response, true);
            response.headers().set("x-echo", "1");
            ctx.writeAndFlush(response);
          }
          case RESET -> {
            ctx.close();
          }
          case RESET_MID_RESPONSE -> {
            HttpResponse response =
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 1_000_000);
            ctx.write(response);
            ctx.writeAndFlush(
                    new DefaultHttpContent(
                        Unpooled.copiedBuffer("partial", StandardCharsets.UTF_8)))
                .addListener(f -> ctx.close());
          }
          default -> {}
        }
      }
      if (msg instanceof HttpContent content) {
        ByteBuf data = content.content();
        bodyBytes.addAndGet(data.readableBytes());
        boolean last = content instanceof LastHttpContent;
        switch (current) {
          case ECHO -> {
            if (last) {
              ctx.writeAndFlush(new DefaultLastHttpContent(data.retain()));
            } else {
              ctx.writeAndFlush(new DefaultHttpContent(data.retain()));
            }
            if (!ctx.channel().isWritable()) {
              ctx.channel().config().setAutoRead(false);
            }
          }
          case COUNT -> {
            crc.update(data.nioBuffer());
            count += data.readableBytes();
            if (last) {
              String answer = count + " " + crc.getValue();
              FullHttpResponse response =
                  new DefaultFullHttpResponse(
                      HttpVersion.HTTP_1_1,
                      HttpResponseStatus.OK,
                      Unpooled.copiedBuffer(answer, StandardCharsets.UTF_8));
              HttpUtil.setContentLength(response, answer.length());
              ctx.writeAndFlush(response);
            }
          }
          case GENERATE -> {
            if (last) {
              HttpResponse response =
                  new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
              HttpUtil.setContentLength(response, generate);
              ctx.write(response);
              remaining = generate;
              pump(ctx);
            }
          }
          case FIXED -> {
            if (last) {
              FullHttpResponse response =
                  new DefaultFullHttpResponse(
                      HttpVersion.HTTP_1_1,
                      HttpResponseStatus.valueOf(currentStatus),
                      head
                          ? Unpooled.EMPTY_BUFFER
                          : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
              HttpUtil.setContentLength(response, body.getBytes(StandardCharsets.UTF_8).length);
              responseHeaders.forEach(response.headers()::set);
              ctx.writeAndFlush(response);
            }
          }
          default -> {}
        }
        content.release();
        return;
      }
      if (!(msg instanceof HttpRequest)) {
        ReferenceCountUtil.release(msg);
      }
    }

    private void pump(ChannelHandlerContext ctx) {
      while (remaining > 0 && ctx.channel().isWritable()) {
        int n = (int) Math.min(65536, remaining);
        long offset = generate - remaining;
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
          bytes[i] = pattern(offset + i);
        }
        // One write per chunk: leak detection in ITs records every buffer access.
        ByteBuf chunk = Unpooled.wrappedBuffer(bytes);
        remaining -= n;
        ctx.write(
            remaining == 0 ? new DefaultLastHttpContent(chunk) : new DefaultHttpContent(chunk));
      }
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(true);
        if (current == Mode.GENERATE && remaining > 0) {
          pump(ctx);
        }
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    connections.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
