package io.wruntime.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
  @Test
  void requestsAreCountedAndTimedPerSeriesInCumulativeBuckets() {
    ProxyMetrics metrics = new ProxyMetrics(() -> 12, () -> 1, () -> 4096);

    metrics.record("shop.web", "shop.cart", 200, 3_000_000); // 3 ms
    metrics.record("shop.web", "shop.cart", 200, 40_000_000); // 40 ms
    metrics.record("shop.web", "shop.cart", 503, 1_000);

    String text = metrics.render();
    String l = "source=\"shop.web\",destination=\"shop.cart\",status=\"200\"";
    assertThat(text)
        .contains("# TYPE wr_proxy_requests_total counter")
        .contains("wr_proxy_requests_total{" + l + "} 2\n")
        .contains(
            "wr_proxy_requests_total{source=\"shop.web\",destination=\"shop.cart\",status=\"503\"} 1\n")
        .contains("wr_proxy_request_duration_seconds_bucket{" + l + ",le=\"0.001\"} 0\n")
        .contains("wr_proxy_request_duration_seconds_bucket{" + l + ",le=\"0.005\"} 1\n")
        .contains("wr_proxy_request_duration_seconds_bucket{" + l + ",le=\"0.05\"} 2\n")
        .contains("wr_proxy_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} 2\n")
        .contains("wr_proxy_request_duration_seconds_sum{" + l + "} 0.043\n")
        .contains("wr_proxy_request_duration_seconds_count{" + l + "} 2\n")
        .contains("wr_proxy_routing_table_version 12\n")
        .contains("wr_proxy_open_circuits 1\n")
        .contains("wr_proxy_buffered_bytes 4096\n");
  }

  @Test
  void labelValuesAreEscaped() {
    ProxyMetrics metrics = new ProxyMetrics(() -> 0, () -> 0, () -> 0);

    metrics.record("a\"b", "c\\d", 400, 1);

    assertThat(metrics.render()).contains("source=\"a\\\"b\",destination=\"c\\\\d\"");
  }
}
