package io.wruntime.common.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import org.junit.jupiter.api.Test;

class TelemetryTest {
  @Test
  void anInstrumentKeepsAtMostTheCardinalityLimitAndCountsTheRestInOneOverflowSeries() {
    try (Telemetry telemetry = Telemetry.notExporting("wr-test")) {
      LongCounter calls = telemetry.meter("test").counterBuilder("wr_test_calls").build();
      AttributeKey<String> who = AttributeKey.stringKey("who");

      for (int i = 0; i < 3 * Telemetry.CARDINALITY_LIMIT; i++) {
        calls.add(1, Attributes.of(who, "caller-" + i));
      }

      long series =
          telemetry
              .prometheusText()
              .lines()
              .filter(l -> l.startsWith("wr_test_calls_total{"))
              .count();
      assertThat(series).isLessThanOrEqualTo(Telemetry.CARDINALITY_LIMIT);
      assertThat(telemetry.prometheusText()).contains("otel_metric_overflow=\"true\"");
    }
  }

  @Test
  void statusLabelsAreHttpsCodesOrTheirClass() {
    assertThat(StatusLabel.of(200)).isEqualTo("200");
    assertThat(StatusLabel.of(499)).isEqualTo("499");
    assertThat(StatusLabel.of(599)).isEqualTo("5xx");
    assertThat(StatusLabel.of(299)).isEqualTo("2xx");
    assertThat(StatusLabel.of(999)).isEqualTo("other");
  }
}
