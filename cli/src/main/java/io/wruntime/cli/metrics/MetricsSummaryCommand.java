package io.wruntime.cli.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wruntime.cli.CliException;
import io.wruntime.cli.WrCli;
import io.wruntime.cli.client.ConnectionFailures;
import io.wruntime.cli.client.Endpoint;
import io.wruntime.cli.kube.KubeSession;
import io.wruntime.cli.options.DurationConverter;
import io.wruntime.cli.options.EndpointConverter;
import io.wruntime.cli.output.Json;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.cli.output.Table;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wr-cli metrics summary}: requests, errors, mean and p99 latency per (source, destination),
 * from the proxy's Prometheus {@code /metrics} (metric names in {@link RequestSummary}).
 *
 * <p>The proxy's counters are cumulative since it started. {@code --since D} therefore reads them
 * twice, D apart, and reports the difference: the requests of the next D.
 */
@Command(
    name = "summary",
    mixinStandardHelpOptions = true,
    description = {
      "Requests, errors (5xx), mean and p99 latency per source and destination, read from the"
          + " proxy's admin /metrics.",
      "",
      "Without --since: totals since the proxy started. With --since D: wr-cli reads the"
          + " metrics, waits D, reads them again and reports what happened in between."
    })
public final class MetricsSummaryCommand implements Callable<Integer> {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Spec CommandSpec spec;

  @Option(
      names = "--proxy-admin",
      paramLabel = "URL",
      converter = EndpointConverter.class,
      description = "The proxy's admin address, its admin_address (env WR_PROXY_ADMIN).")
  Endpoint admin;

  @Option(
      names = {"--since", "--window"},
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Measure over the next DURATION (e.g. 30s, 5m) instead of since start.")
  Duration window;

  @Override
  public Integer call() throws InterruptedException {
    WrCli cli = WrCli.of(spec);
    if (admin == null && cli.kubeEnabled()) {
      KubeSession.Forward forward = cli.kube().proxyAdmin();
      spec.commandLine()
          .getErr()
          .println("wr-cli: metrics of the proxy of one module pod, " + forward.description());
      spec.commandLine().getErr().flush();
      admin = forward.endpoint();
    }
    if (admin == null) {
      throw new ParameterException(
          spec.commandLine(),
          "Missing the proxy's admin address (expected: --proxy-admin URL or WR_PROXY_ADMIN, the"
              + " address the proxy's admin_address listens on; or --kube)");
    }
    List<PairStats> stats;
    try (HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build()) {
      List<Sample> samples = scrape(client);
      if (window != null) {
        Thread.sleep(window);
        samples = RequestSummary.increase(samples, scrape(client));
      }
      stats = RequestSummary.summarize(samples);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          "the metrics of the proxy at " + admin + " do not follow the contract: " + e.getMessage(),
          e);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (cli.output() == OutputFormat.JSON) {
      out.println(Json.print(json(stats)));
    } else {
      out.println(
          window == null
              ? "requests since the proxy started"
              : "requests during " + DurationConverter.format(window));
      if (stats.isEmpty()) {
        out.println("no requests");
      } else {
        Table table = new Table("SOURCE", "DESTINATION", "REQUESTS", "ERRORS", "MEAN", "P99");
        for (PairStats pair : stats) {
          table.row(
              pair.source(),
              pair.destination(),
              pair.requests(),
              pair.errors(),
              latency(pair.meanSeconds()),
              latency(pair.p99Seconds()));
        }
        table.print(out);
      }
    }
    out.flush();
    return 0;
  }

  private ObjectNode json(List<PairStats> stats) {
    ObjectNode root = Json.object();
    if (window == null) {
      root.putNull("windowSeconds");
    } else {
      root.put("windowSeconds", window.toMillis() / 1000.0);
    }
    ArrayNode pairs = root.putArray("pairs");
    for (PairStats pair : stats) {
      ObjectNode node = pairs.addObject();
      node.put("source", pair.source());
      node.put("destination", pair.destination());
      node.put("requests", pair.requests());
      node.put("errors", pair.errors());
      number(node, "meanSeconds", pair.meanSeconds());
      number(node, "p99Seconds", pair.p99Seconds());
    }
    return root;
  }

  private static void number(ObjectNode node, String name, double value) {
    if (Double.isNaN(value)) {
      node.putNull(name);
    } else {
      node.put(name, value);
    }
  }

  /** {@code 3.2ms} below a second, {@code 1.25s} above; {@code -} when unknown. */
  static String latency(double seconds) {
    if (Double.isNaN(seconds)) {
      return "-";
    }
    if (seconds < 1) {
      return String.format(Locale.ROOT, "%.1fms", seconds * 1000);
    }
    return String.format(Locale.ROOT, "%.2fs", seconds);
  }

  private List<Sample> scrape(HttpClient client) throws InterruptedException {
    URI uri = URI.create(admin + "/metrics");
    HttpResponse<String> response;
    try {
      response =
          client.send(
              HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new CliException(
          "the proxy's admin endpoint at " + admin + " did not answer within 10s", e);
    } catch (IOException e) {
      String reason = ConnectionFailures.reason(e);
      throw new CliException(
          "cannot reach the proxy's admin endpoint at "
              + admin
              + ": "
              + (reason != null ? reason : e.getMessage() != null ? e.getMessage() : e.toString()),
          e);
    }
    if (response.statusCode() != 200) {
      throw new CliException(
          "GET "
              + uri
              + " answered "
              + response.statusCode()
              + " (expected: 200 with the proxy's metrics in Prometheus text)");
    }
    try {
      return PrometheusText.parse(response.body());
    } catch (IllegalArgumentException e) {
      throw new CliException(
          "GET " + uri + " did not answer Prometheus text: " + e.getMessage(), e);
    }
  }
}
