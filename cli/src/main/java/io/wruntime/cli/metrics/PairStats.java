package io.wruntime.cli.metrics;

import static java.util.Objects.requireNonNull;

/**
 * What the proxy saw of the calls from one source to one destination.
 *
 * @param source the caller ({@code x-wr-source}, {@code unknown} when it sent none)
 * @param destination {@code namespace.module} or an egress host
 * @param requests requests answered
 * @param errors requests answered with a 5xx status
 * @param meanSeconds mean latency; NaN without latency samples
 * @param p99Seconds 99th percentile latency, interpolated within its histogram bucket; NaN without
 *     latency samples
 */
public record PairStats(
    String source,
    String destination,
    long requests,
    long errors,
    double meanSeconds,
    double p99Seconds) {
  public PairStats {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
  }
}
