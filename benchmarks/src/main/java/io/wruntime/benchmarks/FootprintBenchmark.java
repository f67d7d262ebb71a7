package io.wruntime.benchmarks;

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
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.MatchResult;

/**
 * Start time and memory of the servers as separate processes started by their launchers: a manager,
 * a proxy, and an engine hosting {@code examples/echo} and {@code examples/caller} that registers
 * through the proxy (the processes {@code wr-cli dev up} runs in one JVM). Prints the figures
 * beside the targets of issue 11; not a pass/fail check.
 *
 * <ul>
 *   <li><b>engine start</b>: from spawning {@code bin/wr-engine} to its first 200 (echo, called
 *       with the dispatch headers as a proxy forwards it), and on to the first 200 through the
 *       proxy (registration and first heartbeat included); {@code runs} times, a new engine each
 *       time, median.
 *   <li><b>proxy start</b>: from spawning a second {@code bin/wr-proxy} (another node, no engines
 *       of its own) to its first 200 for {@code http://example.echo/...}: it must have the routing
 *       table from the manager and forward to the engine through the first proxy's peer listener.
 *   <li><b>memory under load</b>: an open-loop load of {@code rate} requests/s through the first
 *       proxy for {@code seconds}: echo, and every 10th request caller (which calls echo through
 *       the proxy again); {@code VmRSS} of each process sampled every 250 ms (steady: median of the
 *       second half) and {@code VmHWM} (peak) at the end.
 * </ul>
 *
 * <p>Run: {@code bin/wr-benchmark footprint [runs] [seconds] [rate]}.
 */
public final class FootprintBenchmark {
  private static final String ECHO_PATH = "/echo.EchoService/Echo";
  private static final byte[] ECHO_BODY = "\n\u0005hello".getBytes(StandardCharsets.UTF_8);
  private static final Duration START_LIMIT = Duration.ofSeconds(120);

  /** Every 10th request of the load goes to caller, which calls echo through the proxy. */
  private static final int CALLER_EVERY = 10;

  private static final double MIB = 1024.0 * 1024.0;

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private FootprintBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int rate = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    if (runs < 1 || seconds < 2 || rate < 1) {
      throw new IllegalArgumentException(
          "runs "
              + runs
              + ", seconds "
              + seconds
              + ", rate "
              + rate
              + " (expected: runs >= 1, seconds >= 2, rate >= 1)");
    }
    Path root = Path.of(System.getProperty("wr.root", "."));
    Path echo = root.resolve("examples/echo/echo.wasm");
    Path caller = root.resolve("examples/caller/caller.wasm");
    for (Path wasm : List.of(echo, caller)) {
      if (!Files.isRegularFile(wasm)) {
        throw new IllegalStateException(
            wasm + " is missing (expected: built by ./mvnw -DskipTests package)");
      }
    }
    Path dir = Files.createDirectories(root.resolve("benchmarks/target/footprint"));
    String jvm = System.getenv("WR_JAVA_OPTS");
    System.out.printf(
        Locale.ROOT,
        "footprint: manager, proxy and engine (echo + caller) as child processes, %d start runs,"
            + " %d s at %d requests/s, %d CPUs, load average %.2f%n",
        runs,
        seconds,
        rate,
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
    String cds = System.getenv("WR_CDS");
    System.out.println(
        "server JVM options: "
            + (jvm == null ? "the launchers' defaults" : "WR_JAVA_OPTS=\"" + jvm + "\"")
            + "; class-data cache: "
            + (cds == null ? "WR_CDS unset (a dynamic CDS archive)" : "WR_CDS=" + cds)
            + "; logs and configs in "
            + dir);

    try (ChildServer manager =
        ChildServer.start(
            root, dir, "wr-manager", "manager", "listen_address = \"127.0.0.1:0\"\n")) {
      int managerPort =
          Integer.parseInt(manager.await(ChildServer.MANAGER_LISTENING, START_LIMIT).group(1));
      try (ChildServer proxy =
          ChildServer.start(root, dir, "wr-proxy", "proxy", proxyToml(managerPort, "bench"))) {
        MatchResult ports = proxy.await(ChildServer.PROXY_LISTENING, START_LIMIT);
        int proxyPort = Integer.parseInt(ports.group(1));
        int controlPort = Integer.parseInt(ports.group(3));

        List<Double> engineStarts = new ArrayList<>();
        List<Double> engineRouted = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
          try (ChildServer engine =
              ChildServer.start(
                  root,
                  dir,
                  "wr-engine",
                  "engine-" + run,
                  engineToml("engine-" + run, proxyPort, controlPort, echo, caller))) {
            int port =
                Integer.parseInt(engine.await(ChildServer.ENGINE_LISTENING, START_LIMIT).group(1));
            double direct = firstOk(engine, direct(port));
            double routed = firstOk(engine, throughProxy(proxyPort, "http://example.echo"));
            engineStarts.add(direct);
            engineRouted.add(routed);
            System.out.printf(
                Locale.ROOT,
                "  engine run %d: first 200 after %.0f ms, first 200 through the proxy after %.0f"
                    + " ms%n",
                run,
                direct,
                routed);
          }
        }

        try (ChildServer engine =
            ChildServer.start(
                root,
                dir,
                "wr-engine",
                "engine",
                engineToml("engine", proxyPort, controlPort, echo, caller))) {
          engine.await(ChildServer.ENGINE_LISTENING, START_LIMIT);
          firstOk(engine, throughProxy(proxyPort, "http://example.echo"));
          firstOk(engine, throughProxy(proxyPort, "http://example.caller"));

          List<Double> proxyStarts = new ArrayList<>();
          for (int run = 1; run <= runs; run++) {
            try (ChildServer probe =
                ChildServer.start(
                    root,
                    dir,
                    "wr-proxy",
                    "proxy-" + run,
                    proxyToml(managerPort, "probe-" + run))) {
              int port =
                  Integer.parseInt(probe.await(ChildServer.PROXY_LISTENING, START_LIMIT).group(1));
              double ms = firstOk(probe, throughProxy(port, "http://example.echo"));
              proxyStarts.add(ms);
              System.out.printf(
                  Locale.ROOT, "  proxy run %d: first 200 through it after %.0f ms%n", run, ms);
            }
          }

          System.out.printf(
              Locale.ROOT,
              "engine start to first answer  median %6.0f ms (min %.0f, max %.0f)   target <= 700"
                  + " ms%n",
              median(engineStarts),
              min(engineStarts),
              max(engineStarts));
          System.out.printf(
              Locale.ROOT,
              "engine start to routed        median %6.0f ms (min %.0f, max %.0f)   (registration"
                  + " through the proxy and first heartbeat included)%n",
              median(engineRouted),
              min(engineRouted),
              max(engineRouted));
          System.out.printf(
              Locale.ROOT,
              "proxy start to first answer   median %6.0f ms (min %.0f, max %.0f)   target <= 500"
                  + " ms%n",
              median(proxyStarts),
              min(proxyStarts),
              max(proxyStarts));

          load(rate, seconds, proxyPort, List.of(manager, proxy, engine));
        }
      }
    }
  }

  /**
   * The load: a warm-up of 5 s at a quarter and 5 s at half the rate (so that the JIT compilers
   * catch up before the full rate, which an open loop would otherwise pile up behind), then {@code
   * seconds} at {@code rate}, measured.
   */
  private static void load(int rate, int seconds, int proxyPort, List<ChildServer> servers)
      throws InterruptedException {
    phase(Math.max(1, rate / 4), 5, proxyPort, servers, false);
    phase(Math.max(1, rate / 2), 5, proxyPort, servers, false);
    phase(rate, seconds, proxyPort, servers, true);
  }

  private static void phase(
      int rate, int seconds, int proxyPort, List<ChildServer> servers, boolean report)
      throws InterruptedException {
    HttpRequest echo = throughProxy(proxyPort, "http://example.echo");
    HttpRequest caller = throughProxy(proxyPort, "http://example.caller");
    AtomicLong sent = new AtomicLong();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger outstanding = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    long[] latencies = new long[rate * seconds + 1];
    AtomicInteger recorded = new AtomicInteger();
    // One row of samples per server: VmRSS every 250 ms.
    List<List<Long>> samples = new ArrayList<>();
    servers.forEach(s -> samples.add(new ArrayList<>()));

    long start = System.nanoTime();
    long end = start + Duration.ofSeconds(seconds).toNanos();
    long intervalNanos = 1_000_000_000L / rate;
    long nextSample = start;
    long dropped = 0;
    // Open loop: request i is due at start + i * interval whether or not earlier ones returned.
    for (long i = 0; ; i++) {
      long due = start + i * intervalNanos;
      if (due >= end) {
        break;
      }
      long now;
      while ((now = System.nanoTime()) < due) {
        if (now >= nextSample) {
          for (int s = 0; s < servers.size(); s++) {
            samples.get(s).add(servers.get(s).memory().rss());
          }
          nextSample += 250_000_000L;
        }
        long wait = due - now;
        if (wait > 200_000) {
          Thread.sleep(Duration.ofNanos(wait - 100_000));
        } else {
          Thread.onSpinWait();
        }
      }
      if (outstanding.get() > 4 * rate) {
        dropped++;
        continue;
      }
      outstanding.incrementAndGet();
      sent.incrementAndGet();
      long sentAt = System.nanoTime();
      HTTP.sendAsync(
              i % CALLER_EVERY == CALLER_EVERY - 1 ? caller : echo,
              HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete(
              (response, error) -> {
                outstanding.decrementAndGet();
                if (error == null && response.statusCode() == 200) {
                  ok.incrementAndGet();
                  int slot = recorded.getAndIncrement();
                  if (slot < latencies.length) {
                    latencies[slot] = System.nanoTime() - sentAt;
                  }
                } else {
                  failed.incrementAndGet();
                  if (failures.size() < 5) {
                    failures.add(
                        error != null
                            ? error.toString()
                            : response.statusCode()
                                + " "
                                + new String(response.body(), StandardCharsets.UTF_8));
                  }
                }
              });
    }
    long drainLimit = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (outstanding.get() > 0 && System.nanoTime() < drainLimit) {
      Thread.sleep(10);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    if (!report) {
      System.out.printf(
          Locale.ROOT,
          "warm-up: %d s at %d requests/s, %d answered 200, %d failed%n",
          seconds,
          rate,
          ok.get(),
          failed.get());
      return;
    }
    int n = Math.min(recorded.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "load: %d requests sent in %d s (%.0f/s offered, every %dth to caller -> echo, the others to echo), %d"
            + " answered 200, %d failed, %d not sent (more than %d outstanding); latency p50 %.2f"
            + " ms, p99 %.2f ms%n",
        sent.get(),
        seconds,
        sent.get() / (double) seconds,
        CALLER_EVERY,
        ok.get(),
        failed.get(),
        dropped,
        4 * rate,
        n == 0 ? Double.NaN : sorted[n / 2] / 1e6,
        n == 0 ? Double.NaN : sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e6);
    failures.forEach(f -> System.out.println("  failure: " + f));
    if (wall > seconds + 5) {
      System.out.printf(Locale.ROOT, "  (the last answers took until %.1f s)%n", wall);
    }
    for (int s = 0; s < servers.size(); s++) {
      ChildServer server = servers.get(s);
      List<Long> rows = samples.get(s);
      List<Double> steady = new ArrayList<>();
      for (long v : rows.subList(rows.size() / 2, rows.size())) {
        steady.add(v / MIB);
      }
      ChildServer.Memory memory = server.memory();
      String target =
          switch (server.name()) {
            case "proxy" -> "   target <= 128 MiB";
            case "engine" -> "   target <= 256 MiB";
            default -> "";
          };
      System.out.printf(
          Locale.ROOT,
          "%-8s RSS steady %6.1f MiB (median of the second half), peak %6.1f MiB (VmHWM), now"
              + " %6.1f MiB%s%n",
          server.name(),
          median(steady),
          memory.peak() / MIB,
          memory.rss() / MIB,
          target);
    }
  }

  /**
   * Milliseconds from the server's spawn to the first 200 answer to {@code request}, retrying every
   * 2 ms while it answers otherwise or refuses the connection.
   */
  private static double firstOk(ChildServer server, HttpRequest request) throws Exception {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException(server.name() + " exited: " + server.output());
      }
      try {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return (System.nanoTime() - server.spawnedNanos()) / 1e6;
        }
        last = response.statusCode() + " " + response.body();
      } catch (java.io.IOException e) {
        last = e.toString();
      }
      Thread.sleep(2);
    }
    throw new IllegalStateException(
        "no 200 from " + request.uri() + " within " + START_LIMIT + " (last: " + last + ")");
  }

  private static HttpRequest direct(int enginePort) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + enginePort + ECHO_PATH))
        .timeout(Duration.ofSeconds(10))
        .header("x-wr-namespace", "example")
        .header("x-wr-module", "echo")
        .header("x-wr-version", "1.0.0")
        .POST(HttpRequest.BodyPublishers.ofByteArray(ECHO_BODY))
        .build();
  }

  /** A call to {@code destination} (http://example.echo or http://example.caller) via a proxy. */
  private static HttpRequest throughProxy(int proxyPort, String destination) {
    boolean echo = destination.endsWith(".echo");
    String path = echo ? ECHO_PATH : "/run";
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
            .timeout(Duration.ofSeconds(10))
            .header("x-wr-destination", destination + path);
    return (echo ? builder.POST(HttpRequest.BodyPublishers.ofByteArray(ECHO_BODY)) : builder.GET())
        .build();
  }

  private static String proxyToml(int managerPort, String node) {
    return """
        listen_address = "127.0.0.1:0"
        control_address = "127.0.0.1:0"
        manager_address = "http://127.0.0.1:%d"

        [node]
        name = "%s"
        peer_port = 0
        """
        .formatted(managerPort, node);
  }

  private static String engineToml(
      String id, int proxyPort, int controlPort, Path echo, Path caller) {
    return """
        listen_address = "127.0.0.1:0"

        [node]
        proxy_address = "http://127.0.0.1:%d"
        control_address = "127.0.0.1:%d"
        engine_id = "%s"
        heartbeat_interval_secs = 1

        [[module]]
        name = "echo"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        schema_path = "%s"

        [[module]]
        name = "caller"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        schema_path = "%s"
        """
        .formatted(
            proxyPort,
            controlPort,
            id,
            echo,
            echo.resolveSibling("../schemas/echo.binpb").normalize(),
            caller,
            caller.resolveSibling("../schemas/caller.binpb").normalize());
  }

  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (Exception e) {
      return Double.NaN;
    }
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
