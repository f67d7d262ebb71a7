package io.wruntime.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.wruntime.common.net.HostPort;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop HTTP/1.1 load on one address: {@code concurrency} keep-alive connections on one Netty
 * event loop, each with one request outstanding, sending the next as soon as the answer is in. One
 * event loop keeps the client's own CPU use low: it shares the machine's cores with the servers.
 * Every answer is checked (status 200 and the expected body); a wrong one stops the run.
 */
final class HttpLoad implements AutoCloseable {
  private static final AttributeKey<long[]> IN_FLIGHT = AttributeKey.valueOf("wr-bench-in-flight");

  /** A request header the load adds to each call. */
  record Field(String name, String value) {}

  /** The call each connection repeats, and the body its answer must have. */
  record Call(HttpMethod method, String path, byte[] body, List<Field> headers, byte[] expected) {}

  private final EventLoopGroup group;
  private final List<Channel> channels = new ArrayList<>();
  private final HostPort target;
  private final Call call;
  private final Run[] current = new Run[1];

  private HttpLoad(EventLoopGroup group, HostPort target, Call call) {
    this.group = group;
    this.target = target;
    this.call = call;
  }

  static HttpLoad open(HostPort target, Call call, int concurrency) throws InterruptedException {
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1,
            Thread.ofPlatform().name("bench-client").daemon().factory(),
            NioIoHandler.newFactory());
    HttpLoad load = new HttpLoad(group, target, call);
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast("codec", new HttpClientCodec())
                        .addLast("aggregate", new HttpObjectAggregator(1 << 20))
                        .addLast("load", load.new ConnectionHandler());
                  }
                });
    try {
      for (int i = 0; i < concurrency; i++) {
        ChannelFuture connect = bootstrap.connect(target.toSocketAddress()).sync();
        load.channels.add(connect.channel());
      }
    } catch (RuntimeException | InterruptedException e) {
      load.close();
      throw e;
    }
    return load;
  }

  HostPort target() {
    return target;
  }

  /** Sends {@code count} calls and checks each answer. */
  Result run(int count) throws InterruptedException {
    Run run = new Run(count, channels.size());
    long began = System.nanoTime();
    group
        .next()
        .execute(
            () -> {
              current[0] = run;
              for (Channel ch : channels) {
                send(ch, run);
              }
            });
    run.done.await();
    long elapsed = System.nanoTime() - began;
    if (run.failure != null) {
      throw new IllegalStateException(run.failure);
    }
    return new Result(run.latencies, elapsed);
  }

  /** Runs on the event loop: claims the next request of {@code run}, or retires the connection. */
  private void send(Channel ch, Run run) {
    int index = run.issued++;
    if (index >= run.latencies.length || run.failure != null) {
      run.done.countDown();
      return;
    }
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, call.method(), call.path(), Unpooled.wrappedBuffer(call.body()));
    request.headers().set(HttpHeaderNames.HOST, target.toString());
    if (call.body().length > 0 || call.method() == HttpMethod.POST) {
      request
          .headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "application/protobuf")
          .set(HttpHeaderNames.CONTENT_LENGTH, call.body().length);
    }
    for (Field f : call.headers()) {
      request.headers().set(f.name(), f.value());
    }
    ch.attr(IN_FLIGHT).set(new long[] {index, System.nanoTime()});
    ch.writeAndFlush(request)
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                fail(run, target + " write failed: " + f.cause());
              }
            });
  }

  private static void fail(Run run, String failure) {
    if (run.failure == null) {
      run.failure = failure;
    }
    run.done.countDown();
  }

  @Override
  public void close() {
    for (Channel ch : channels) {
      ch.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One {@link #run}: touched only on the event loop, except {@link #done}. */
  private static final class Run {
    final long[] latencies;
    final CountDownLatch done;
    int issued;
    String failure;

    Run(int count, int connections) {
      latencies = new long[count];
      done = new CountDownLatch(connections);
    }
  }

  private final class ConnectionHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      long now = System.nanoTime();
      Run run = current[0];
      long[] inFlight = ctx.channel().attr(IN_FLIGHT).getAndSet(null);
      run.latencies[(int) inFlight[0]] = now - inFlight[1];
      byte[] body = ByteBufUtil.getBytes(response.content());
      if (response.status().code() != 200 || !Arrays.equals(body, call.expected())) {
        fail(
            run,
            target
                + " answered "
                + response.status().code()
                + ": "
                + new String(body, StandardCharsets.UTF_8));
        return;
      }
      send(ctx.channel(), run);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Run run = current[0];
      if (run != null && ctx.channel().attr(IN_FLIGHT).get() != null) {
        fail(run, target + " closed the connection with a request outstanding");
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Run run = current[0];
      if (run != null) {
        fail(run, target + " failed: " + cause);
      }
      ctx.close();
    }
  }

  /** Latencies of one path (nanoseconds, any order) and the wall time they took. */
  record Result(long[] latencies, long elapsedNanos) {
    static Result merge(Result a, Result b) {
      long[] all = Arrays.copyOf(a.latencies, a.latencies.length + b.latencies.length);
      System.arraycopy(b.latencies, 0, all, a.latencies.length, b.latencies.length);
      return new Result(all, a.elapsedNanos + b.elapsedNanos);
    }

    double requestsPerSecond() {
      return latencies.length / (elapsedNanos / 1e9);
    }

    double p50Micros() {
      return percentile(0.50);
    }

    double p99Micros() {
      return percentile(0.99);
    }

    private double percentile(double q) {
      long[] sorted = latencies.clone();
      Arrays.sort(sorted);
      return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1e3;
    }

    String line(String what) {
      return String.format(
          "%-36s %9.0f requests/s | p50 %8.1f us | p99 %8.1f us",
          what, requestsPerSecond(), p50Micros(), p99Micros());
    }
  }
}
