package io.wruntime.proxy.admin;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.wruntime.common.telemetry.StatusLabel;
import io.wruntime.common.telemetry.Telemetry;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The proxy's metrics, OpenTelemetry instruments read as Prometheus text on the admin {@code
 * /metrics}: requests and their latency by source, destination and status; the routing-table
 * version; open circuits; bytes held in memory. Label values are bounded (see {@link MetricLabels}
 * and {@link StatusLabel}).
 */
public final class ProxyMetrics {
  /** Upper bounds of the latency buckets, in seconds. */
  static final List<Double> BUCKETS =
      List.of(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0);

  static final AttributeKey<String> SOURCE = AttributeKey.stringKey("source");
  static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("destination");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("status");

  private final Telemetry telemetry;
  private final MetricLabels labels;
  private final LongCounter requests;
  private final DoubleHistogram duration;

  /**
   * @param telemetry the SDK the instruments live in (and whose Prometheus text {@link #render}
   *     returns)
   * @param labels which label values are known
   * @param tableVersion the routing-table version in use
   * @param openCircuits circuits open or half-open now
   * @param bufferedBytes body bytes the proxy holds now
   */
  public ProxyMetrics(
      Telemetry telemetry,
      MetricLabels labels,
      LongSupplier tableVersion,
      LongSupplier openCircuits,
      LongSupplier bufferedBytes) {
    this.telemetry = requireNonNull(telemetry, "telemetry");
    this.labels = requireNonNull(labels, "labels");
    requireNonNull(tableVersion, "tableVersion");
    requireNonNull(openCircuits, "openCircuits");
    requireNonNull(bufferedBytes, "bufferedBytes");
    Meter meter = telemetry.meter("io.wruntime.proxy");
    requests =
        meter
            .counterBuilder("wr_proxy_requests")
            .setDescription("Requests handled, by source, destination and status.")
            .build();
    duration =
        meter
            .histogramBuilder("wr_proxy_request_duration")
            .setUnit("s")
            .setDescription("Time from request headers to the end of the response.")
            .setExplicitBucketBoundariesAdvice(BUCKETS)
            .build();
    meter
        .gaugeBuilder("wr_proxy_routing_table_version")
        .ofLongs()
        .setDescription("Version of the routing table in use.")
        .buildWithCallback(m -> m.record(tableVersion.getAsLong()));
    meter
        .gaugeBuilder("wr_proxy_open_circuits")
        .ofLongs()
        .setDescription("Circuits open or half-open.")
        .buildWithCallback(m -> m.record(openCircuits.getAsLong()));
    meter
        .gaugeBuilder("wr_proxy_buffered")
        .ofLongs()
        .setUnit("By")
        .setDescription("Body bytes held in proxy memory.")
        .buildWithCallback(m -> m.record(bufferedBytes.getAsLong()));
  }

  /**
   * Counts one finished request.
   *
   * @param source the calling module ({@code x-wr-source}) as the caller said, or null
   * @param destination {@code namespace.module} or an egress host as requested, or null
   * @param status the status answered; 499 when the client went away first
   */
  public void record(String source, String destination, int status, long nanos) {
    Attributes attributes = attributes(source, destination, status);
    requests.add(1, attributes);
    duration.record(nanos / 1e9, attributes);
  }

  private Attributes attributes(String source, String destination, int status) {
    return Attributes.of(
        SOURCE,
        labels.source(source),
        DESTINATION,
        labels.destination(destination),
        STATUS,
        StatusLabel.of(status));
  }

  /**
   * Requests counted so far in the series of these label values (after folding: pass {@code
   * unknown} for the series of unknown sources or destinations).
   */
  public long count(String source, String destination, int status) {
    String statusLabel = StatusLabel.of(status);
    for (MetricSnapshot snapshot : telemetry.collectMetrics()) {
      if (snapshot instanceof CounterSnapshot counter
          && counter.getMetadata().getPrometheusName().equals("wr_proxy_requests")) {
        return counter.getDataPoints().stream()
            .filter(
                p ->
                    source.equals(p.getLabels().get("source"))
                        && destination.equals(p.getLabels().get("destination"))
                        && statusLabel.equals(p.getLabels().get("status")))
            .mapToLong(p -> (long) p.getValue())
            .sum();
      }
    }
    return 0;
  }

  /** The exposition text of every metric of the proxy's telemetry. */
  public String render() {
    return telemetry.prometheusText();
  }
}
