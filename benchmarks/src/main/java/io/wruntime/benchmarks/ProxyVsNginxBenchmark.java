package io.wruntime.benchmarks;

import io.netty.handler.codec.http.HttpMethod;
import io.wruntime.benchmarks.HttpLoad.Call;
import io.wruntime.benchmarks.HttpLoad.Field;
import io.wruntime.benchmarks.HttpLoad.Result;
import io.wruntime.common.net.HostPort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Our proxy against nginx in front of the same engine, and the module-to-module chain. One engine
 * serves {@code examples/echo} and {@code examples/caller}; the echo call is measured on four
 * paths, each with the same closed-loop load ({@link HttpLoad}) at concurrency 1, 8 and 64:
 *
 * <ul>
 *   <li><b>direct</b>: to the engine, with the {@code x-wr-*} dispatch headers a proxy adds;
 *   <li><b>proxy</b>: to our proxy's listener with {@code x-wr-destination}, as an engine sends a
 *       module's outgoing call (route lookup, schema validation, pooled upstream connection);
 *   <li><b>nginx</b>: to the machine's nginx (when installed) with the dispatch headers, which it
 *       passes to the engine over a keep-alive upstream;
 *   <li><b>chain</b> (concurrency 1 and 8): {@code GET /run} to caller on the engine, which calls
 *       echo through the proxy and answers with echo's message.
 * </ul>
 *
 * Paths of one concurrency run in two interleaved rounds after their warm-up, so that drift over
 * the run (JIT, GC, other work on the machine) falls on all alike. Prints requests/s, p50 and p99
 * per path and the ratios; not a pass/fail check.
 *
 * <p>Run: {@code bin/wr-benchmark proxy-vs-nginx [requests] [concurrency ...]}.
 */
public final class ProxyVsNginxBenchmark {
  private static final String ECHO_PATH = "/echo.EchoService/Echo";

  /** An {@code echo.EchoRequest} with {@code message = "hello"}: it passes schema validation. */
  private static final byte[] BODY = "\n\u0005hello".getBytes(StandardCharsets.UTF_8);

  private static final byte[] CALLER_ANSWER = "hello\n".getBytes(StandardCharsets.UTF_8);
  private static final List<Integer> CHAIN_CONCURRENCY = List.of(1, 8);

  private ProxyVsNginxBenchmark() {}

  public static void main(String[] args) throws Exception {
    int requests = -1;
    List<Integer> concurrencies = new ArrayList<>();
    try {
      requests = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
      for (int i = 1; i < args.length; i++) {
        concurrencies.add(Integer.parseInt(args[i]));
      }
    } catch (NumberFormatException e) {
      requests = -1;
    }
    if (concurrencies.isEmpty()) {
      concurrencies.addAll(List.of(1, 8, 64));
    }
    if (requests < 100 || concurrencies.stream().anyMatch(c -> c < 1 || c > 1024)) {
      System.err.println(
          "usage: bin/wr-benchmark proxy-vs-nginx [requests per path >= 100, default 10000]"
              + " [concurrency 1..1024 ..., default 1 8 64]");
      System.exit(2);
    }
    int warmup = Math.max(2000, requests / 2);
    Path root = Path.of(System.getProperty("wr.root", ".")).toAbsolutePath().normalize();
    List<LocalStack.Module> modules =
        List.of(LocalStack.Module.example(root, "echo"), LocalStack.Module.example(root, "caller"));
    LocalStack.requireBuilt(modules);

    Optional<Path> nginxBinary = Nginx.find();
    try (LocalStack stack = LocalStack.start(modules);
        Nginx nginx = startNginx(nginxBinary, stack.engine.address())) {
      System.out.printf(
          "proxy vs nginx: %s.echo@%s %s, %d-byte body; %d requests per path and concurrency after"
              + " %d warm-up; netty client (HTTP/1.1 keep-alive, one event loop); %d CPUs;"
              + " Java %s%n",
          LocalStack.NAMESPACE,
          LocalStack.VERSION,
          ECHO_PATH,
          BODY.length,
          requests,
          warmup,
          Runtime.getRuntime().availableProcessors(),
          Runtime.version());
      System.out.printf(
          "engine %s, our proxy %s (route lookup, schema validation, pooled upstream)%n",
          stack.engine.address(), stack.proxy.listenAddress());
      System.out.println(
          nginx != null
              ? "nginx "
                  + nginx.address()
                  + ": "
                  + nginx.version()
                  + ", one worker per CPU, keep-alive upstream to the engine"
              : nginxBinary.isPresent()
                  ? "nginx: did not start (above); measuring without it"
                  : "nginx not installed: apt-get install nginx-light; measuring without it");

      Map<String, Row> rows = new LinkedHashMap<>();
      for (int c : concurrencies) {
        Map<String, Call> paths = new LinkedHashMap<>();
        Map<String, HostPort> targets = new LinkedHashMap<>();
        paths.put("direct", echoCall(dispatch("echo")));
        targets.put("direct", stack.engine.address());
        paths.put(
            "proxy",
            echoCall(
                List.of(
                    new Field(
                        "x-wr-destination",
                        "http://" + LocalStack.NAMESPACE + ".echo" + ECHO_PATH))));
        targets.put("proxy", stack.proxy.listenAddress());
        if (nginx != null) {
          paths.put("nginx", echoCall(dispatch("echo")));
          targets.put("nginx", nginx.address());
        }
        if (CHAIN_CONCURRENCY.contains(c)) {
          paths.put(
              "chain",
              new Call(HttpMethod.GET, "/run", new byte[0], dispatch("caller"), CALLER_ANSWER));
          targets.put("chain", stack.engine.address());
        }
        Map<String, Cpu> cpu = new LinkedHashMap<>();
        Map<String, Result> results = measure(paths, targets, c, requests, warmup, nginx, cpu);
        System.out.printf("%nconcurrency %d%n", c);
        for (Map.Entry<String, Result> e : results.entrySet()) {
          System.out.println(e.getValue().line(label(e.getKey())));
          System.out.println(cpu.get(e.getKey()).line());
          rows.computeIfAbsent(e.getKey(), k -> new Row()).put(c, e.getValue());
        }
        Result direct = results.get("direct");
        Result proxy = results.get("proxy");
        Result viaNginx = results.get("nginx");
        StringBuilder ratios =
            new StringBuilder(
                String.format(
                    "proxy: requests/s %.2fx of direct, adds %.0f us to p50",
                    proxy.requestsPerSecond() / direct.requestsPerSecond(),
                    proxy.p50Micros() - direct.p50Micros()));
        if (viaNginx != null) {
          ratios.append(
              String.format(
                  "; nginx: %.2fx of direct, adds %.0f us to p50; proxy/nginx: requests/s %.2fx,"
                      + " p50 %.2fx, p99 %.2fx",
                  viaNginx.requestsPerSecond() / direct.requestsPerSecond(),
                  viaNginx.p50Micros() - direct.p50Micros(),
                  proxy.requestsPerSecond() / viaNginx.requestsPerSecond(),
                  proxy.p50Micros() / viaNginx.p50Micros(),
                  proxy.p99Micros() / viaNginx.p99Micros()));
        }
        System.out.println(ratios);
      }

      System.out.printf("%nsummary (p50 and p99 in us)%n");
      StringBuilder head = new StringBuilder(String.format("%-34s", "path"));
      for (int c : concurrencies) {
        head.append(String.format(" | c=%-3d req/s    p50    p99", c));
      }
      System.out.println(head);
      for (Map.Entry<String, Row> row : rows.entrySet()) {
        StringBuilder line = new StringBuilder(String.format("%-34s", label(row.getKey())));
        for (int c : concurrencies) {
          Result r = row.getValue().get(c);
          line.append(
              r == null
                  ? String.format(" | %-26s", "      -")
                  : String.format(
                      " | %9.0f %6.0f %6.0f", r.requestsPerSecond(), r.p50Micros(), r.p99Micros()));
        }
        System.out.println(line);
      }
    }
  }

  private static final class Row extends LinkedHashMap<Integer, Result> {}

  private static String label(String path) {
    return switch (path) {
      case "direct" -> "echo direct (engine)";
      case "proxy" -> "echo through our proxy";
      case "nginx" -> "echo through nginx";
      case "chain" -> "caller -> proxy -> echo (engine)";
      default -> path;
    };
  }

  private static Nginx startNginx(Optional<Path> binary, HostPort engine) {
    if (binary.isEmpty()) {
      return null;
    }
    try {
      return Nginx.start(binary.get(), engine);
    } catch (Exception e) {
      System.out.println("nginx: " + e.getMessage());
      return null;
    }
  }

  private static List<Field> dispatch(String module) {
    return List.of(
        new Field("x-wr-namespace", LocalStack.NAMESPACE),
        new Field("x-wr-module", module),
        new Field("x-wr-version", LocalStack.VERSION));
  }

  private static Call echoCall(List<Field> headers) {
    return new Call(HttpMethod.POST, ECHO_PATH, BODY, headers, BODY);
  }

  /** CPU time per request, in microseconds, of each server while one path ran. */
  private record Cpu(double engine, double proxy, double nginx) {
    String line() {
      return String.format(
          "%36s CPU per request: engine %.0f us, our proxy %.0f us, nginx %s",
          "", engine, proxy, Double.isNaN(nginx) ? "-" : String.format("%.0f us", nginx));
    }
  }

  private static final List<String> ENGINE_THREADS = List.of("wr-netty-", "wr-guest-");
  private static final List<String> PROXY_THREADS = List.of("wr-proxy-io-");

  /** Counts CPU time of the engine, the proxy and nginx across runs of one path. */
  private static final class CpuTally {
    private long engine;
    private long proxy;
    private long nginx;
    private long requests;

    Result run(HttpLoad load, int count, Nginx nginxServer) throws InterruptedException {
      long e0 = CpuMeter.threads(ENGINE_THREADS);
      long p0 = CpuMeter.threads(PROXY_THREADS);
      long n0 = nginxServer == null ? 0 : nginxServer.cpuNanos();
      Result r = load.run(count);
      engine += CpuMeter.threads(ENGINE_THREADS) - e0;
      proxy += CpuMeter.threads(PROXY_THREADS) - p0;
      nginx += nginxServer == null ? 0 : nginxServer.cpuNanos() - n0;
      requests += count;
      return r;
    }

    Cpu perRequest(boolean withNginx) {
      return new Cpu(
          engine / 1e3 / requests,
          proxy / 1e3 / requests,
          withNginx ? nginx / 1e3 / requests : Double.NaN);
    }
  }

  /** Warms each path up, then measures them in two interleaved rounds. */
  private static Map<String, Result> measure(
      Map<String, Call> paths,
      Map<String, HostPort> targets,
      int concurrency,
      int requests,
      int warmup,
      Nginx nginx,
      Map<String, Cpu> cpu)
      throws InterruptedException {
    Map<String, HttpLoad> loads = new LinkedHashMap<>();
    Map<String, CpuTally> tallies = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Call> p : paths.entrySet()) {
        loads.put(p.getKey(), HttpLoad.open(targets.get(p.getKey()), p.getValue(), concurrency));
        tallies.put(p.getKey(), new CpuTally());
      }
      for (HttpLoad load : loads.values()) {
        load.run(warmup);
      }
      Map<String, Result> first = new LinkedHashMap<>();
      for (Map.Entry<String, HttpLoad> e : loads.entrySet()) {
        first.put(e.getKey(), tallies.get(e.getKey()).run(e.getValue(), requests / 2, nginx));
      }
      Map<String, Result> merged = new LinkedHashMap<>();
      for (Map.Entry<String, HttpLoad> e : loads.entrySet()) {
        Result second = tallies.get(e.getKey()).run(e.getValue(), requests - requests / 2, nginx);
        merged.put(e.getKey(), Result.merge(first.get(e.getKey()), second));
      }
      for (Map.Entry<String, CpuTally> t : tallies.entrySet()) {
        cpu.put(t.getKey(), t.getValue().perRequest(nginx != null));
      }
      return merged;
    } finally {
      for (HttpLoad load : loads.values()) {
        load.close();
      }
    }
  }
}
