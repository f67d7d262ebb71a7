package io.wruntime.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.proxy.routing.EgressPolicy;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
  private final Telemetry telemetry = Telemetry.notExporting("wr-proxy");

  @AfterEach
  void close() {
    telemetry.close();
  }

  private ProxyMetrics metrics(EgressPolicy egress) {
    return new ProxyMetrics(
        telemetry,
        new MetricLabels(Set.of("shop.web", "shop.cart")::contains, egress),
        () -> 12,
        () -> 1,
        () -> 4096);
  }

  @Test
  void requestsAreCountedAndTimedPerSeriesInCumulativeBuckets() {
    ProxyMetrics metrics = metrics(EgressPolicy.of(false, List.of(), false));

    metrics.record("shop.web", "shop.cart", 200, 3_000_000); // 3 ms
    metrics.record("shop.web", "shop.cart", 200, 40_000_000); // 40 ms
    metrics.record("shop.web", "shop.cart", 503, 1_000);

    String text = metrics.render();
    String l = "destination=\"shop.cart\",source=\"shop.web\",status=\"200\"";
    assertThat(text)
        .contains("# TYPE wr_proxy_requests_total counter")
        .contains("wr_proxy_requests_total{" + l + "} 2.0\n")
        .contains(
            "wr_proxy_requests_total{destination=\"shop.cart\",source=\"shop.web\",status=\"503\"}"
                + " 1.0\n")
        .contains("# TYPE wr_proxy_request_duration_seconds histogram")
        .contains("wr_proxy_request_duration_seconds_bucket{" + l + ",le=\"0.001\"} 0\n")
        .contains("wr_proxy_request_duration_seconds_bucket{" + l + ",le=\"0.005\"} 1\n")
        .contains("wr_proxy_request_duration_seconds_bucket{" + l + ",le=\"0.05\"} 2\n")
        .contains("wr_proxy_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} 2\n")
        .contains("wr_proxy_request_duration_seconds_sum{" + l + "} 0.043")
        .contains("wr_proxy_request_duration_seconds_count{" + l + "} 2\n")
        .contains("wr_proxy_routing_table_version 12")
        .contains("wr_proxy_open_circuits 1")
        .contains("wr_proxy_buffered_bytes 4096");
    assertThat(metrics.count("shop.web", "shop.cart", 200)).isEqualTo(2);
  }

  @Test
  void unknownSourcesDestinationsAndStatusesFoldIntoOneValueEach() {
    ProxyMetrics metrics = metrics(EgressPolicy.of(true, List.of("*.example.com"), false));

    for (int i = 0; i < 50; i++) {
      metrics.record("made-up-" + i, "host-" + i + ".nowhere", 200 + i, 1_000);
    }
    metrics.record("shop.web", "api.example.com", 200, 1_000);
    metrics.record("shop.web", "a.b.example.com", 200, 1_000);

    assertThat(metrics.count("unknown", "unknown", 200)).isEqualTo(1);
    assertThat(metrics.count("unknown", "unknown", 250))
        .isEqualTo(40); // 2xx codes HTTP does not define
    assertThat(metrics.count("shop.web", "*.example.com", 200)).isEqualTo(1);
    assertThat(metrics.count("shop.web", "unknown", 200)).isEqualTo(1);
    assertThat(metrics.render()).doesNotContain("made-up").doesNotContain("nowhere");
  }
}
