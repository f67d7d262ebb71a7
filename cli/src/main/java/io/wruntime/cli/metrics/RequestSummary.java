package io.wruntime.cli.metrics;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the proxy's request metrics into one {@link PairStats} per (source, destination).
 *
 * <p>The metric contract (what the proxy exposes on its admin {@code /metrics}):
 *
 * <ul>
 *   <li>{@value #REQUESTS}{@code {source, destination, status}}: a counter of answered requests;
 *       {@code status} is a code ({@code 503}) or, for codes HTTP does not define, a class ({@code
 *       5xx});
 *   <li>{@value #DURATION}{@code {source, destination, status}}: a histogram of their latency in
 *       seconds ({@code _bucket{le}}, {@code _sum}, {@code _count}).
 * </ul>
 *
 * Histograms of one pair are merged across statuses, which is exact because every series shares the
 * proxy's bucket bounds.
 */
public final class RequestSummary {
  /** Counter of answered requests. */
  public static final String REQUESTS = "wr_proxy_requests_total";

  /** Histogram of request latency in seconds. */
  public static final String DURATION = "wr_proxy_request_duration_seconds";

  /** A status at or above this counts as an error. */
  static final int FIRST_ERROR_STATUS = 500;

  private RequestSummary() {}

  private record Pair(String source, String destination) {}

  private record Series(String name, Map<String, String> labels) {}

  private static final class Totals {
    long requests;
    long errors;
    boolean counted;
    double sum;
    double count;
    final TreeMap<Double, Double> buckets = new TreeMap<>();
  }

  /** Stats per pair, ordered by source then destination. */
  public static List<PairStats> summarize(List<Sample> samples) {
    requireNonNull(samples, "samples");
    Map<Pair, Totals> pairs =
        new TreeMap<>(Comparator.comparing(Pair::source).thenComparing(Pair::destination));
    for (Sample sample : samples) {
      String name = sample.name();
      boolean ours =
          name.equals(REQUESTS)
              || name.equals(DURATION + "_bucket")
              || name.equals(DURATION + "_sum")
              || name.equals(DURATION + "_count");
      if (!ours) {
        continue;
      }
      Totals totals =
          pairs.computeIfAbsent(
              new Pair(sample.label("source"), sample.label("destination")), p -> new Totals());
      switch (name) {
        case REQUESTS -> {
          long n = Math.round(sample.value());
          totals.counted = true;
          totals.requests += n;
          if (status(sample) >= FIRST_ERROR_STATUS) {
            totals.errors += n;
          }
        }
        case DURATION + "_sum" -> totals.sum += sample.value();
        case DURATION + "_count" -> totals.count += sample.value();
        default -> {
          double le = le(sample);
          totals.buckets.merge(le, sample.value(), Double::sum);
        }
      }
    }
    List<PairStats> result = new ArrayList<>();
    pairs.forEach(
        (pair, t) ->
            result.add(
                new PairStats(
                    pair.source(),
                    pair.destination(),
                    t.counted ? t.requests : Math.round(t.count),
                    t.errors,
                    t.count > 0 ? t.sum / t.count : Double.NaN,
                    quantile(0.99, t.buckets))));
    return result;
  }

  /**
   * What happened between two readings: each series' increase, or its later value when the counter
   * went down (the proxy restarted in between).
   */
  public static List<Sample> increase(List<Sample> before, List<Sample> after) {
    requireNonNull(before, "before");
    requireNonNull(after, "after");
    Map<Series, Double> earlier = new HashMap<>();
    for (Sample s : before) {
      earlier.put(new Series(s.name(), s.labels()), s.value());
    }
    List<Sample> result = new ArrayList<>(after.size());
    for (Sample s : after) {
      double previous = earlier.getOrDefault(new Series(s.name(), s.labels()), 0.0);
      double increase = s.value() >= previous ? s.value() - previous : s.value();
      result.add(new Sample(s.name(), s.labels(), increase));
    }
    return result;
  }

  /**
   * The q-quantile of a cumulative histogram (upper bound to count), interpolated linearly within
   * the bucket that holds it, as Prometheus' {@code histogram_quantile} does. A quantile in the
   * {@code +Inf} bucket is the highest finite bound. NaN when the histogram is empty.
   */
  static double quantile(double q, TreeMap<Double, Double> cumulative) {
    if (cumulative.isEmpty()) {
      return Double.NaN;
    }
    double total = cumulative.lastEntry().getValue();
    if (total <= 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
      double upperBound = bucket.getKey();
      double count = bucket.getValue();
      if (count >= rank) {
        if (Double.isInfinite(upperBound)) {
          return lowerBound;
        }
        if (count == lowerCount) {
          return upperBound;
        }
        return lowerBound + (upperBound - lowerBound) * (rank - lowerCount) / (count - lowerCount);
      }
      lowerBound = upperBound;
      lowerCount = count;
    }
    return lowerBound;
  }

  /** The status of a series: its code, or the first of its class ({@code 5xx} is 500). */
  private static int status(Sample sample) {
    String status = sample.label("status");
    if (status.length() == 3 && status.endsWith("xx") && Character.isDigit(status.charAt(0))) {
      return (status.charAt(0) - '0') * 100;
    }
    try {
      return Integer.parseInt(status);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static double le(Sample sample) {
    String le = sample.label("le");
    if (le.equals("+Inf") || le.equals("Inf")) {
      return Double.POSITIVE_INFINITY;
    }
    try {
      return Double.parseDouble(le);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          sample.name() + " has le=\"" + le + "\" (expected: a bucket bound such as 0.5 or +Inf)");
    }
  }
}
