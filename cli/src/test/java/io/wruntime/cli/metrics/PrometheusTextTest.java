package io.wruntime.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  @Test
  void readsSamplesWithLabelsAndSkipsComments() {
    List<Sample> samples =
        PrometheusText.parse(
            """
            # HELP wr_proxy_requests_total Requests handled.
            # TYPE wr_proxy_requests_total counter
            wr_proxy_requests_total{source="a.b",destination="c.d",status="200"} 12

            wr_proxy_routing_table_version 7 1700000000000
            """);

    assertThat(samples)
        .containsExactly(
            new Sample(
                "wr_proxy_requests_total",
                Map.of("source", "a.b", "destination", "c.d", "status", "200"),
                12),
            new Sample("wr_proxy_routing_table_version", Map.of(), 7));
  }

  @Test
  void readsEscapesInLabelValuesAndSpecialValues() {
    List<Sample> samples =
        PrometheusText.parse(
            """
            m{a="x\\"y",b="back\\\\slash",c="line\\nbreak",} +Inf
            m{le="0.5"} NaN
            """);

    assertThat(samples.get(0).labels())
        .containsEntry("a", "x\"y")
        .containsEntry("b", "back\\slash")
        .containsEntry("c", "line\nbreak");
    assertThat(samples.get(0).value()).isInfinite();
    assertThat(samples.get(1).value()).isNaN();
  }

  @Test
  void malformedLineIsNamedWithWhatWasExpected() {
    assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbad{a=1} 2\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("line 2: \"bad{a=1} 2\" at column 7 (expected: '\"')");
    assertThatThrownBy(() -> PrometheusText.parse("m abc"))
        .hasMessageContaining("\"abc\" is not a sample value");
  }
}
