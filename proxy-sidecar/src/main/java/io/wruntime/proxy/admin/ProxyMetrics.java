package io.wruntime.proxy.admin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The proxy's metrics in the Prometheus text format (0.0.4): requests and their latency by source,
 * destination and status; the routing-table version; open circuits; bytes held in memory.
 */
public final class ProxyMetrics {
  /** Upper bounds of the latency buckets, in seconds. */
  static final double[] BUCKETS = {
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  private final ConcurrentHashMap<Key, Series> series = new ConcurrentHashMap<>();
  private final LongSupplier tableVersion;
  private final LongSupplier openCircuits;
  private final LongSupplier bufferedBytes;

  private record Key(String source, String destination, int status) {}

  private static final class Series {
    final LongAdder count = new LongAdder();
    final AtomicLong sumNanos = new AtomicLong();
    final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length);
  }

  /**
   * @param tableVersion the routing-table version in use
   * @param openCircuits circuits open or half-open now
   * @param bufferedBytes body bytes the proxy holds now
   */
  public ProxyMetrics(
      LongSupplier tableVersion, LongSupplier openCircuits, LongSupplier bufferedBytes) {
    this.tableVersion = tableVersion;
    this.openCircuits = openCircuits;
    this.bufferedBytes = bufferedBytes;
  }

  /**
   * Counts one finished request.
   *
   * @param source the calling module ({@code x-wr-source}), or {@code unknown}
   * @param destination {@code namespace.module}, an egress host, or {@code unknown}
   * @param status the status answered; 499 when the client went away first
   */
  public void record(String source, String destination, int status, long nanos) {
    Series s = series.computeIfAbsent(new Key(source, destination, status), k -> new Series());
    s.count.increment();
    s.sumNanos.addAndGet(nanos);
    double seconds = nanos / 1e9;
    for (int i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]) {
        s.buckets.incrementAndGet(i);
        break;
      }
    }
  }

  /** Requests counted so far for one series. */
  public long count(String source, String destination, int status) {
    Series s = series.get(new Key(source, destination, status));
    return s == null ? 0 : s.count.sum();
  }

  /** The exposition text. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(
        "# HELP wr_proxy_requests_total Requests handled, by source, destination and status.\n");
    out.append("# TYPE wr_proxy_requests_total counter\n");
    Map<Key, Series> snapshot = Map.copyOf(series);
    snapshot.entrySet().stream()
        .sorted((a, b) -> labels(a.getKey()).compareTo(labels(b.getKey())))
        .forEach(
            e ->
                out.append("wr_proxy_requests_total{")
                    .append(labels(e.getKey()))
                    .append("} ")
                    .append(e.getValue().count.sum())
                    .append('\n'));
    out.append(
        "# HELP wr_proxy_request_duration_seconds Time from request headers to the end of the"
            + " response.\n");
    out.append("# TYPE wr_proxy_request_duration_seconds histogram\n");
    snapshot.entrySet().stream()
        .sorted((a, b) -> labels(a.getKey()).compareTo(labels(b.getKey())))
        .forEach(
            e -> {
              String l = labels(e.getKey());
              Series s = e.getValue();
              long cumulative = 0;
              for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += s.buckets.get(i);
                out.append("wr_proxy_request_duration_seconds_bucket{")
                    .append(l)
                    .append(",le=\"")
                    .append(BUCKETS[i])
                    .append("\"} ")
                    .append(cumulative)
                    .append('\n');
              }
              long count = s.count.sum();
              out.append("wr_proxy_request_duration_seconds_bucket{")
                  .append(l)
                  .append(",le=\"+Inf\"} ")
                  .append(count)
                  .append('\n');
              out.append("wr_proxy_request_duration_seconds_sum{")
                  .append(l)
                  .append("} ")
                  .append(s.sumNanos.get() / 1e9)
                  .append('\n');
              out.append("wr_proxy_request_duration_seconds_count{")
                  .append(l)
                  .append("} ")
                  .append(count)
                  .append('\n');
            });
    gauge(
        out,
        "wr_proxy_routing_table_version",
        "Version of the routing table in use.",
        tableVersion.getAsLong());
    gauge(out, "wr_proxy_open_circuits", "Circuits open or half-open.", openCircuits.getAsLong());
    gauge(
        out,
        "wr_proxy_buffered_bytes",
        "Body bytes held in proxy memory.",
        bufferedBytes.getAsLong());
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
    out.append(name).append(' ').append(value).append('\n');
  }

  private static String labels(Key key) {
    return "source=\""
        + escape(key.source())
        + "\",destination=\""
        + escape(key.destination())
        + "\",status=\""
        + key.status()
        + "\"";
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
