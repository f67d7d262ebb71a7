package io.wruntime.proxy.admin;

import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.proxy.routing.EgressPolicy;
import java.util.List;
import java.util.Set;

/** Proxy metrics for handler tests, in an SDK of their own. */
public final class TestMetrics {
  private TestMetrics() {}

  /** Metrics that know {@code modules} as sources and destinations, without egress. */
  public static ProxyMetrics knowing(String... modules) {
    return new ProxyMetrics(
        Telemetry.notExporting("wr-proxy"),
        new MetricLabels(Set.of(modules)::contains, EgressPolicy.of(false, List.of(), false)),
        () -> 0,
        () -> 0,
        () -> 0);
  }
}
