package io.wruntime.benchmarks;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.UpsertRoutingRuleRequest;
import io.wruntime.proto.v1.UpsertRoutingRuleResponse;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a route change takes to reach every proxy: one manager and {@code proxies} proxies
 * watching its routing table ({@code WatchRoutingTable}), each a child process started by its
 * launcher. The harness upserts an admin routing rule through the manager's gRPC API ({@code
 * UpsertRoutingRule}, which answers with the routing-table version holding the change) {@code
 * changes} times, one after the other, and for each finds when every proxy applied that version:
 * the proxies run with their routing-table watcher at debug level, which logs {@code routing table
 * version N applied} right after the new table took effect, and the harness reads the line's
 * timestamp (wall clock, milliseconds, the same clock as the harness's) from each proxy's log.
 * Prints p50, p99 and max over the changes of the time from the manager's answer (and from the
 * call) to the last proxy applying the change.
 *
 * <p>Run: {@code bin/wr-benchmark propagation [proxies] [changes]}.
 */
public final class PropagationBenchmark {
  private static final Pattern APPLIED =
      Pattern.compile("^(\\S+) DEBUG .* routing table version (\\d+) applied$", Pattern.MULTILINE);
  private static final Duration START_LIMIT = Duration.ofSeconds(300);
  private static final Duration CHANGE_LIMIT = Duration.ofSeconds(30);
  private static final int WARM_UP = 20;

  private static final String LOGBACK =
      """
      <configuration>
        <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder>
            <pattern>%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level [%thread] %logger{20} - %msg%n</pattern>
          </encoder>
        </appender>
        <logger name="io.grpc" level="WARN"/>
        <logger name="io.netty" level="WARN"/>
        <logger name="io.opentelemetry" level="WARN"/>
        <logger name="io.wruntime.proxy.routing.RoutingTableWatcher" level="DEBUG"/>
        <root level="INFO">
          <appender-ref ref="STDOUT"/>
        </root>
      </configuration>
      """;

  private PropagationBenchmark() {}

  public static void main(String[] args) throws Exception {
    int proxies = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int changes = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    if (proxies < 1 || changes < 1) {
      throw new IllegalArgumentException(
          "proxies " + proxies + ", changes " + changes + " (expected: both >= 1)");
    }
    Path root = Path.of(System.getProperty("wr.root", "."));
    Path dir = Files.createDirectories(root.resolve("benchmarks/target/propagation"));
    Path logback = dir.resolve("proxy-logback.xml");
    Files.writeString(logback, LOGBACK);
    String jvm = System.getenv("WR_JAVA_OPTS");
    System.out.printf(
        Locale.ROOT,
        "propagation: 1 manager and %d proxies, each its own process (bin/wr-manager, bin/wr-proxy),"
            + " %d route changes (UpsertRoutingRule) after %d unmeasured, %d CPUs, load average"
            + " %.2f%n",
        proxies,
        changes,
        WARM_UP,
        Runtime.getRuntime().availableProcessors(),
        FootprintBenchmark.loadAverage());
    System.out.println(
        "server JVM options: "
            + (jvm == null ? "the launchers' defaults" : "WR_JAVA_OPTS=\"" + jvm + "\"")
            + "; logs and configs in "
            + dir);

    List<ChildServer> started = new ArrayList<>();
    ManagedChannel channel = null;
    try {
      ChildServer manager =
          ChildServer.start(
              root, dir, "wr-manager", "manager", "listen_address = \"127.0.0.1:0\"\n");
      started.add(manager);
      int managerPort =
          Integer.parseInt(manager.await(ChildServer.MANAGER_LISTENING, START_LIMIT).group(1));
      List<ProxyLog> logs = new ArrayList<>();
      for (int i = 1; i <= proxies; i++) {
        String name = "proxy-" + i;
        ChildServer proxy =
            ChildServer.start(
                root,
                dir,
                "wr-proxy",
                name,
                """
                listen_address = "127.0.0.1:0"
                control_address = "127.0.0.1:0"
                manager_address = "http://127.0.0.1:%d"

                [node]
                name = "%s"
                peer_port = 0
                """
                    .formatted(managerPort, name),
                Map.of("JAVA_OPTS", "-Dlogback.configurationFile=" + logback));
        started.add(proxy);
        logs.add(new ProxyLog(proxy, dir.resolve(name + ".log")));
      }
      long startedAt = System.nanoTime();
      for (ProxyLog log : logs) {
        log.server.await(ChildServer.PROXY_LISTENING, START_LIMIT);
      }
      channel =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1", managerPort, InsecureChannelCredentials.create())
              .build();
      ManagerServiceGrpc.ManagerServiceBlockingStub stub =
          ManagerServiceGrpc.newBlockingStub(channel);
      // Every proxy holds the first table before the first change.
      awaitApplied(logs, 0, START_LIMIT);
      System.out.printf(
          Locale.ROOT,
          "%d proxies up and watching after %.1f s%n",
          proxies,
          (System.nanoTime() - startedAt) / 1e9);

      long[] fromAck = new long[changes];
      long[] fromCall = new long[changes];
      long[] perProxy = new long[changes * proxies];
      for (int i = -WARM_UP; i < changes; i++) {
        RoutingRule rule =
            RoutingRule.newBuilder()
                .setNamespace("bench")
                .setModule("propagation")
                .setDefaultVersion(">=1.0." + (i + WARM_UP))
                .build();
        long called = System.currentTimeMillis();
        UpsertRoutingRuleResponse response =
            stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                .upsertRoutingRule(UpsertRoutingRuleRequest.newBuilder().setRule(rule).build());
        long acked = System.currentTimeMillis();
        long[] applied = awaitApplied(logs, response.getRoutingTableVersion(), CHANGE_LIMIT);
        if (i < 0) {
          continue;
        }
        long last = Arrays.stream(applied).max().orElseThrow();
        fromAck[i] = last - acked;
        fromCall[i] = last - called;
        for (int p = 0; p < proxies; p++) {
          perProxy[i * proxies + p] = applied[p] - acked;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "change acknowledged -> applied by every proxy: p50 %d ms, p99 %d ms, max %d ms   target"
              + " p99 < 100 ms%n",
          percentile(fromAck, 0.50),
          percentile(fromAck, 0.99),
          percentile(fromAck, 1.0));
      System.out.printf(
          Locale.ROOT,
          "change sent -> applied by every proxy:         p50 %d ms, p99 %d ms, max %d ms%n",
          percentile(fromCall, 0.50),
          percentile(fromCall, 0.99),
          percentile(fromCall, 1.0));
      System.out.printf(
          Locale.ROOT,
          "change acknowledged -> applied by one proxy:   p50 %d ms, p99 %d ms (over %d"
              + " proxy-changes)%n",
          percentile(perProxy, 0.50),
          percentile(perProxy, 0.99),
          perProxy.length);
      System.out.println(
          "(timestamps in milliseconds from the proxies' logs: a proxy can apply a change before"
              + " the manager's answer reaches the harness, so a figure can be 0 or negative)");
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      // Proxies first, in parallel: a manager stopping first would make them all reconnect.
      List<Thread> stops = new ArrayList<>();
      for (ChildServer server : started.subList(Math.min(1, started.size()), started.size())) {
        stops.add(Thread.ofVirtual().start(() -> stop(server)));
      }
      for (Thread t : stops) {
        t.join();
      }
      if (!started.isEmpty()) {
        started.getFirst().close();
      }
    }
  }

  private static void stop(ChildServer server) {
    try {
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits until every proxy logged a version {@code >= version} applied; returns, per proxy, the
   * epoch milliseconds of the first such line.
   */
  private static long[] awaitApplied(List<ProxyLog> logs, long version, Duration limit)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    long[] at = new long[logs.size()];
    Arrays.fill(at, -1);
    while (true) {
      boolean all = true;
      for (int p = 0; p < logs.size(); p++) {
        if (at[p] < 0) {
          at[p] = logs.get(p).appliedAt(version);
          all &= at[p] >= 0;
        }
      }
      if (all) {
        return at;
      }
      if (System.nanoTime() > deadline) {
        StringBuilder missing = new StringBuilder();
        for (int p = 0; p < logs.size(); p++) {
          if (at[p] < 0) {
            missing.append(' ').append(logs.get(p).server.name());
          }
        }
        throw new IllegalStateException(
            "routing table version "
                + version
                + " not applied within "
                + limit
                + " by"
                + missing
                + " (see their logs)");
      }
      Thread.sleep(1);
    }
  }

  private static long percentile(long[] values, double p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** A proxy's log, read incrementally: the applied versions and when. */
  private static final class ProxyLog {
    final ChildServer server;
    private final Path file;
    private long offset;
    private String partial = "";
    // Ordered as logged: versions only increase.
    private final List<long[]> applied = new ArrayList<>();

    ProxyLog(ChildServer server, Path file) {
      this.server = server;
      this.file = file;
    }

    /** Epoch ms of the first version >= {@code version} applied, or -1 when none yet. */
    long appliedAt(long version) throws IOException {
      read();
      for (long[] entry : applied) {
        if (entry[0] >= version) {
          return entry[1];
        }
      }
      if (!server.isAlive()) {
        throw new IllegalStateException(server.name() + " exited:\n" + server.output());
      }
      return -1;
    }

    private void read() throws IOException {
      if (!Files.exists(file)) {
        return;
      }
      try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
        long length = in.length();
        if (length <= offset) {
          return;
        }
        byte[] bytes = new byte[(int) (length - offset)];
        in.seek(offset);
        in.readFully(bytes);
        offset = length;
        String text = partial + new String(bytes, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        partial = text.substring(end + 1);
        Matcher m = APPLIED.matcher(end < 0 ? "" : text.substring(0, end));
        while (m.find()) {
          applied.add(
              new long[] {Long.parseLong(m.group(2)), Instant.parse(m.group(1)).toEpochMilli()});
        }
      }
    }
  }
}
