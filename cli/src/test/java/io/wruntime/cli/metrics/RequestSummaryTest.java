package io.wruntime.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.proxy.admin.MetricLabels;
import io.wruntime.proxy.admin.ProxyMetrics;
import io.wruntime.proxy.routing.EgressPolicy;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RequestSummaryTest {
  /** 100 requests from a.b to c.d: 98 OK within 10 ms, 2 failed with 503 between 0.5 and 1 s. */
  static final String TEXT =
      """
      wr_proxy_requests_total{source="a.b",destination="c.d",status="200"} 98
      wr_proxy_requests_total{source="a.b",destination="c.d",status="503"} 2
      wr_proxy_requests_total{source="a.b",destination="e.f",status="404"} 1
      wr_proxy_request_duration_seconds_bucket{source="a.b",destination="c.d",status="200",le="0.01"} 98
      wr_proxy_request_duration_seconds_bucket{source="a.b",destination="c.d",status="200",le="0.5"} 98
      wr_proxy_request_duration_seconds_bucket{source="a.b",destination="c.d",status="200",le="1.0"} 98
      wr_proxy_request_duration_seconds_bucket{source="a.b",destination="c.d",status="200",le="+Inf"} 98
      wr_proxy_request_duration_seconds_sum{source="a.b",destination="c.d",status="200"} 0.49
      wr_proxy_request_duration_seconds_count{source="a.b",destination="c.d",status="200"} 98
      wr_proxy_request_duration_seconds_bucket{source="a.b",destination="c.d",status="503",le="0.01"} 0
      wr_proxy_request_duration_seconds_bucket{source="a.b",destination="c.d",status="503",le="0.5"} 0
      wr_proxy_request_duration_seconds_bucket{source="a.b",destination="c.d",status="503",le="1.0"} 2
      wr_proxy_request_duration_seconds_bucket{source="a.b",destination="c.d",status="503",le="+Inf"} 2
      wr_proxy_request_duration_seconds_sum{source="a.b",destination="c.d",status="503"} 1.51
      wr_proxy_request_duration_seconds_count{source="a.b",destination="c.d",status="503"} 2
      wr_proxy_routing_table_version 7
      """;

  @Test
  void summarizesCountErrorsMeanAndP99PerPair() {
    List<PairStats> stats = RequestSummary.summarize(PrometheusText.parse(TEXT));

    assertThat(stats).hasSize(2);
    PairStats cd = stats.get(0);
    assertThat(cd.source()).isEqualTo("a.b");
    assertThat(cd.destination()).isEqualTo("c.d");
    assertThat(cd.requests()).isEqualTo(100);
    assertThat(cd.errors()).isEqualTo(2);
    assertThat(cd.meanSeconds()).isCloseTo(0.02, within(1e-9));
    // rank 99 of 100 lies halfway into the (0.5, 1.0] bucket, which holds requests 99 and 100.
    assertThat(cd.p99Seconds()).isCloseTo(0.75, within(1e-9));
    PairStats ef = stats.get(1);
    assertThat(ef.requests()).isEqualTo(1);
    assertThat(ef.errors()).isZero();
    assertThat(ef.meanSeconds()).isNaN();
    assertThat(ef.p99Seconds()).isNaN();
  }

  @Test
  void quantileInTheInfiniteBucketIsTheHighestFiniteBound() {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    buckets.put(0.1, 0.0);
    buckets.put(1.0, 0.0);
    buckets.put(Double.POSITIVE_INFINITY, 10.0);

    assertThat(RequestSummary.quantile(0.99, buckets)).isEqualTo(1.0);
  }

  @Test
  void increaseIsTheDifferenceOrTheNewValueAfterARestart() {
    List<Sample> before =
        PrometheusText.parse(
            """
            wr_proxy_requests_total{source="a.b",destination="c.d",status="200"} 10
            wr_proxy_requests_total{source="a.b",destination="e.f",status="200"} 50
            """);
    List<Sample> after =
        PrometheusText.parse(
            """
            wr_proxy_requests_total{source="a.b",destination="c.d",status="200"} 15
            wr_proxy_requests_total{source="a.b",destination="e.f",status="200"} 3
            wr_proxy_requests_total{source="x.y",destination="c.d",status="500"} 4
            """);

    assertThat(RequestSummary.summarize(RequestSummary.increase(before, after)))
        .extracting(PairStats::destination, PairStats::requests, PairStats::errors)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("c.d", 5L, 0L),
            org.assertj.core.groups.Tuple.tuple("e.f", 3L, 0L),
            org.assertj.core.groups.Tuple.tuple("c.d", 4L, 4L));
  }

  @Test
  void readsWhatTheProxyExportsThroughOpenTelemetry() {
    try (Telemetry telemetry = Telemetry.notExporting("wr-proxy")) {
      ProxyMetrics proxy =
          new ProxyMetrics(
              telemetry,
              new MetricLabels(
                  Set.of("a.b", "c.d")::contains, EgressPolicy.of(false, List.of(), false)),
              () -> 7,
              () -> 0,
              () -> 0);
      for (int i = 0; i < 98; i++) {
        proxy.record("a.b", "c.d", 200, 5_000_000); // 5 ms
      }
      proxy.record("a.b", "c.d", 503, 700_000_000); // 700 ms
      proxy.record("a.b", "c.d", 503, 700_000_000);
      proxy.record("a.b", "c.d", 599, 1_000_000); // a code HTTP does not define: 5xx

      List<PairStats> stats = RequestSummary.summarize(PrometheusText.parse(proxy.render()));

      assertThat(stats).hasSize(1);
      PairStats cd = stats.get(0);
      assertThat(cd.source()).isEqualTo("a.b");
      assertThat(cd.destination()).isEqualTo("c.d");
      assertThat(cd.requests()).isEqualTo(101);
      assertThat(cd.errors()).isEqualTo(3);
      assertThat(cd.meanSeconds()).isCloseTo((98 * 0.005 + 2 * 0.7 + 0.001) / 101, within(1e-9));
      assertThat(cd.p99Seconds()).isBetween(0.5, 1.0);
    }
  }
}
