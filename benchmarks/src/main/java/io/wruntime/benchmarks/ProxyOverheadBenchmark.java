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
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.manager.Manager;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.proxy.Proxy;
import io.wruntime.proxy.config.ProxyConfig;
import io.wruntime.proxy.routing.RoutingTable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the proxy hop costs: the echo module called directly on its engine (with the {@code x-wr-*}
 * dispatch headers, as the proxy forwards it) and through the proxy's internal listener (with
 * {@code x-wr-destination}, as an engine sends a module's outgoing call), each with the same
 * closed-loop load of keep-alive HTTP/1.1 connections. Prints requests/s, p50 and p99 per path and
 * the ratios proxy/direct; not a pass/fail check.
 *
 * <p>A manager, a proxy and an engine run in this JVM on loopback ports the system chooses, with
 * their default settings (so the proxy validates each body against the echo schema); the engine
 * registers the echo module through the proxy, and the measurement starts once the proxy routes it
 * healthy. Client and servers share the machine's cores, so the proxy path also pays for the CPU
 * the proxy takes from the engine.
 *
 * <p>The load comes from a small Netty client (all connections on one event loop) by default: it
 * takes the least CPU from the servers, and its ratios varied least between runs. {@code jdk}
 * drives {@code java.net.http.HttpClient} from one thread per connection instead, as a cross-check;
 * its own CPU use narrows the gap between the paths.
 *
 * <p>Run: {@code bin/wr-benchmark proxy-overhead [requests] [concurrency] [netty|jdk]}.
 */
public final class ProxyOverheadBenchmark {
  private static final String NAMESPACE = "example";
  private static final String MODULE = "echo";
  private static final String VERSION = "1.0.0";
  private static final String PATH = "/echo.EchoService/Echo";

  /** An {@code echo.EchoRequest} with {@code message = "hello"}: it passes schema validation. */
  private static final byte[] BODY = "\n\u0005hello".getBytes(StandardCharsets.UTF_8);

  private static final AttributeKey<long[]> IN_FLIGHT = AttributeKey.valueOf("wr-bench-in-flight");

  private ProxyOverheadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int requests;
    int concurrency;
    String clientKind = args.length > 2 ? args[2] : "netty";
    try {
      requests = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
      concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    } catch (NumberFormatException e) {
      requests = -1;
      concurrency = -1;
    }
    if (args.length > 3
        || requests < 100
        || concurrency < 1
        || !List.of("netty", "jdk").contains(clientKind)) {
      System.err.println(
          "usage: bin/wr-benchmark proxy-overhead [requests >= 100, default 5000]"
              + " [concurrency >= 1, default 8] [netty|jdk, default netty]");
      System.exit(2);
    }
    int warmup = Math.max(1000, requests / 2);
    Path root = Path.of(System.getProperty("wr.root", ".")).toAbsolutePath().normalize();
    Path wasm = root.resolve("examples/echo/echo.wasm");
    Path schema = root.resolve("examples/schemas/echo.binpb");
    for (Path p : List.of(wasm, schema)) {
      if (!Files.isRegularFile(p)) {
        System.err.println(
            p + " does not exist (expected: the built examples, ./mvnw -B -pl examples compile)");
        System.exit(2);
      }
    }

    try (Stack stack = Stack.start(wasm, schema)) {
      List<Field> dispatch =
          List.of(
              new Field("x-wr-namespace", NAMESPACE),
              new Field("x-wr-module", MODULE),
              new Field("x-wr-version", VERSION));
      List<Field> destination =
          List.of(new Field("x-wr-destination", "http://" + NAMESPACE + "." + MODULE + PATH));
      System.out.printf(
          "proxy overhead: %s.%s@%s %s, %d requests per path after %d warm-up, concurrency %d,"
              + " %d-byte body, %s client (HTTP/1.1 keep-alive), %d CPUs%n",
          NAMESPACE,
          MODULE,
          VERSION,
          PATH,
          requests,
          warmup,
          concurrency,
          BODY.length,
          clientKind,
          Runtime.getRuntime().availableProcessors());
      try (Load direct = Load.open(clientKind, stack.engine.address(), dispatch, concurrency);
          Load proxied =
              Load.open(clientKind, stack.proxy.listenAddress(), destination, concurrency)) {
        direct.run(warmup);
        proxied.run(warmup);
        // Interleaved halves: drift over the run (JIT, GC, a noisy neighbour) hits both paths
        // alike.
        Result d1 = direct.run(requests / 2);
        Result p1 = proxied.run(requests / 2);
        Result d2 = direct.run(requests - requests / 2);
        Result p2 = proxied.run(requests - requests / 2);
        Result directResult = Result.merge(d1, d2);
        Result proxyResult = Result.merge(p1, p2);

        System.out.println(directResult.line("direct (engine " + stack.engine.address() + ")"));
        System.out.println(proxyResult.line("proxy  (proxy " + stack.proxy.listenAddress() + ")"));
        System.out.printf(
            "ratio proxy/direct: requests/s %.2fx, p50 %.2fx, p99 %.2fx%n",
            proxyResult.requestsPerSecond() / directResult.requestsPerSecond(),
            proxyResult.p50Micros() / directResult.p50Micros(),
            proxyResult.p99Micros() / directResult.p99Micros());
      }
    }
  }

  /** A request header the load adds to the echo call. */
  private record Field(String name, String value) {}

  /**
   * Closed-loop load on one address: {@code concurrency} keep-alive connections, each with one
   * request outstanding, sending the next as soon as the answer is in.
   */
  private interface Load extends AutoCloseable {
    static Load open(String kind, HostPort target, List<Field> headers, int concurrency)
        throws InterruptedException {
      return switch (kind) {
        case "netty" -> NettyLoad.open(target, headers, concurrency);
        case "jdk" -> new JdkLoad(target, headers, concurrency);
        default ->
            throw new IllegalArgumentException("client " + kind + " (expected: netty or jdk)");
      };
    }

    /** Sends {@code count} echo calls and checks that each is answered 200 with the body echoed. */
    Result run(int count) throws InterruptedException;

    @Override
    void close();
  }

  /**
   * {@code concurrency} connections on one Netty event loop: a light client, so that the two cores
   * left to the servers are not shared with client threads, and the numbers stay stable.
   */
  private static final class NettyLoad implements Load {
    private final EventLoopGroup group;
    private final List<Channel> channels;
    private final HostPort target;
    private final List<Field> headers;
    private final Run[] current = new Run[1];

    private NettyLoad(
        EventLoopGroup group, List<Channel> channels, HostPort target, List<Field> headers) {
      this.group = group;
      this.channels = channels;
      this.target = target;
      this.headers = headers;
    }

    static NettyLoad open(HostPort target, List<Field> headers, int concurrency)
        throws InterruptedException {
      EventLoopGroup group =
          new MultiThreadIoEventLoopGroup(
              1,
              Thread.ofPlatform().name("bench-client").daemon().factory(),
              NioIoHandler.newFactory());
      List<Channel> channels = new ArrayList<>();
      NettyLoad load = new NettyLoad(group, channels, target, headers);
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
          channels.add(connect.channel());
        }
      } catch (RuntimeException | InterruptedException e) {
        load.close();
        throw e;
      }
      return load;
    }

    @Override
    public Result run(int count) throws InterruptedException {
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

    /**
     * Runs on the event loop: claims the next request of {@code run}, or retires the connection.
     */
    private void send(Channel ch, Run run) {
      int index = run.issued++;
      if (index >= run.latencies.length || run.failure != null) {
        run.done.countDown();
        return;
      }
      FullHttpRequest request =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1, HttpMethod.POST, PATH, Unpooled.wrappedBuffer(BODY));
      request
          .headers()
          .set(HttpHeaderNames.HOST, target.toString())
          .set(HttpHeaderNames.CONTENT_TYPE, "application/protobuf")
          .set(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
      for (Field f : headers) {
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
        if (response.status().code() != 200 || !Arrays.equals(body, BODY)) {
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
  }

  /**
   * {@code java.net.http.HttpClient} driven by {@code concurrency} threads, each sending its next
   * request when the last is answered: the JDK's client, for a cross-check.
   */
  private static final class JdkLoad implements Load {
    private final HttpClient client;
    private final HttpRequest request;
    private final int concurrency;

    JdkLoad(HostPort target, List<Field> headers, int concurrency) {
      this.client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      HttpRequest.Builder builder =
          HttpRequest.newBuilder(URI.create("http://" + target + PATH))
              .header("content-type", "application/protobuf")
              .timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.ofByteArray(BODY));
      for (Field f : headers) {
        builder.header(f.name(), f.value());
      }
      this.request = builder.build();
      this.concurrency = concurrency;
    }

    @Override
    public Result run(int count) throws InterruptedException {
      long[] latencies = new long[count];
      AtomicInteger next = new AtomicInteger();
      AtomicReference<String> failure = new AtomicReference<>();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        workers.add(
            Thread.ofPlatform()
                .name("bench-client-" + w)
                .start(
                    () -> {
                      try {
                        start.await();
                        for (int i = next.getAndIncrement();
                            i < count && failure.get() == null;
                            i = next.getAndIncrement()) {
                          long began = System.nanoTime();
                          HttpResponse<byte[]> response =
                              client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                          latencies[i] = System.nanoTime() - began;
                          if (response.statusCode() != 200
                              || !Arrays.equals(response.body(), BODY)) {
                            failure.compareAndSet(
                                null,
                                request.uri()
                                    + " answered "
                                    + response.statusCode()
                                    + ": "
                                    + new String(response.body(), StandardCharsets.UTF_8));
                          }
                        }
                      } catch (IOException | InterruptedException e) {
                        failure.compareAndSet(null, request.uri() + " failed: " + e);
                      }
                    }));
      }
      long began = System.nanoTime();
      start.countDown();
      for (Thread t : workers) {
        t.join();
      }
      long elapsed = System.nanoTime() - began;
      if (failure.get() != null) {
        throw new IllegalStateException(failure.get());
      }
      return new Result(latencies, elapsed);
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** Latencies of one path (nanoseconds, any order) and the wall time they took. */
  private record Result(long[] latencies, long elapsedNanos) {
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

  /** Manager, proxy and engine in this JVM, on loopback ports the system chooses. */
  private static final class Stack implements AutoCloseable {
    final Manager manager;
    final Proxy proxy;
    final Engine engine;

    private Stack(Manager manager, Proxy proxy, Engine engine) {
      this.manager = manager;
      this.proxy = proxy;
      this.engine = engine;
    }

    static Stack start(Path wasm, Path schema) throws Exception {
      Manager manager =
          Manager.start(
              ManagerConfig.parse("benchmark manager.toml", "listen_address = \"127.0.0.1:0\"\n"));
      Proxy proxy = null;
      Engine engine = null;
      try {
        proxy =
            Proxy.start(
                ProxyConfig.parse(
                    "benchmark proxy.toml",
                    """
                    listen_address = "127.0.0.1:0"
                    control_address = "127.0.0.1:0"
                    manager_address = "http://%s"
                    [node]
                    name = "benchmark"
                    peer_port = 0
                    """
                        .formatted(manager.listenAddress())));
        engine =
            Engine.startWith(
                EngineConfig.parse(
                    "benchmark engine.toml",
                    """
                    listen_address = "127.0.0.1:0"
                    [node]
                    proxy_address = "http://%s"
                    control_address = "%s"
                    heartbeat_interval_secs = 1
                    [[module]]
                    name = "%s"
                    namespace = "%s"
                    version = "%s"
                    wasm_path = "%s"
                    schema_path = "%s"
                    """
                        .formatted(
                            proxy.listenAddress(),
                            proxy.controlAddress(),
                            MODULE,
                            NAMESPACE,
                            VERSION,
                            tomlString(wasm),
                            tomlString(schema))),
                WasiHttpModuleLoader::new);
        awaitRouted(proxy, Duration.ofSeconds(30));
        return new Stack(manager, proxy, engine);
      } catch (Exception | Error e) {
        if (engine != null) {
          engine.close(Duration.ofSeconds(1));
        }
        if (proxy != null) {
          proxy.stop(Duration.ofSeconds(1));
        }
        manager.stop(Duration.ofSeconds(1));
        throw e;
      }
    }

    /** Polls the proxy's routing table: a harness, not a test, so no Awaitility on its path. */
    private static void awaitRouted(Proxy proxy, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (true) {
        RoutingTable.Service service = proxy.routingTable().service(NAMESPACE, MODULE);
        if (service != null && !service.instances().isEmpty()) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the proxy did not route "
                  + NAMESPACE
                  + "."
                  + MODULE
                  + " healthy within "
                  + limit.toSeconds()
                  + " s (expected: the engine registers through the proxy and reports it healthy)");
        }
        Thread.sleep(50);
      }
    }

    private static String tomlString(Path path) {
      return path.toString().replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public void close() throws InterruptedException {
      engine.close(Duration.ofSeconds(1));
      proxy.stop(Duration.ofSeconds(1));
      manager.stop(Duration.ofSeconds(1));
    }
  }
}
