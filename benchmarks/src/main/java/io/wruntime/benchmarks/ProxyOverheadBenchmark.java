package io.wruntime.benchmarks;

import io.netty.handler.codec.http.HttpMethod;
import io.wruntime.benchmarks.HttpLoad.Result;
import io.wruntime.common.net.HostPort;
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

    try (LocalStack stack =
        LocalStack.start(List.of(new LocalStack.Module(MODULE, wasm, schema)))) {
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

  /** The Netty client of {@link HttpLoad}. */
  private record NettyLoad(HttpLoad load) implements Load {
    static NettyLoad open(HostPort target, List<Field> headers, int concurrency)
        throws InterruptedException {
      List<HttpLoad.Field> fields =
          headers.stream().map(f -> new HttpLoad.Field(f.name(), f.value())).toList();
      return new NettyLoad(
          HttpLoad.open(
              target, new HttpLoad.Call(HttpMethod.POST, PATH, BODY, fields, BODY), concurrency));
    }

    @Override
    public Result run(int count) throws InterruptedException {
      return load.run(count);
    }

    @Override
    public void close() {
      load.close();
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
}
