package io.wruntime.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.wruntime.common.names.SemVer;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.common.testing.RecordingSpanExporter;
import io.wruntime.proxy.admin.ProxyMetrics;
import io.wruntime.proxy.admin.TestMetrics;
import io.wruntime.proxy.balance.CircuitBreaker;
import io.wruntime.proxy.balance.CircuitBreakers;
import io.wruntime.proxy.balance.LoadBalancer;
import io.wruntime.proxy.balance.LoadBalancer.Outcome;
import io.wruntime.proxy.routing.Instance;
import io.wruntime.proxy.telemetry.ProxyTracing;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One completion reaches the circuit breaker, the metrics and both spans alike. */
class ExchangeObserversTest {
  private final RecordingSpanExporter spans = new RecordingSpanExporter();
  private final Telemetry telemetry = Telemetry.exportingTo(spans, "wr-proxy");
  private final CircuitBreakers breakers =
      new CircuitBreakers(1, Duration.ofSeconds(30), Clock.systemUTC());
  private final ProxyMetrics metrics = TestMetrics.knowing("shop.web", "shop.cart");

  @AfterEach
  void close() {
    telemetry.close();
  }

  @Test
  void aTimedOutExchangeOpensTheCircuitCountsA504AndMarksBothSpans() {
    Instance instance =
        new Instance(SemVer.parse("1.0.0"), "e1", "node-a", true, new HostPort("127.0.0.1", 7001));
    LoadBalancer.Chosen choice =
        (LoadBalancer.Chosen) new LoadBalancer(breakers).choose("shop", "cart", List.of(instance));
    ProxyTracing tracing = new ProxyTracing(telemetry.openTelemetry());
    Span request = tracing.startRequest(new DefaultHttpHeaders(), "GET", "shop.web", "shop.cart");
    Span forward =
        tracing.startForward(
            request, new DefaultHttpHeaders(), "shop.web", "shop.cart", "127.0.0.1:7001");

    ExchangeObservers.completed(
        new Completion(
            "shop.web",
            "shop.cart",
            "127.0.0.1:7001",
            Outcome.FAILURE,
            504,
            0,
            "upstream_timeout",
            "127.0.0.1:7001 did not answer within 30 s",
            2_000_000,
            12,
            0),
        choice,
        metrics,
        request,
        forward);

    assertThat(breakers.openCount()).isEqualTo(1);
    assertThat(breakers.get(LoadBalancer.key("shop", "cart", instance)).state())
        .isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(metrics.count("shop.web", "shop.cart", 504)).isEqualTo(1);
    assertThat(spans.spans())
        .extracting(SpanData::getName)
        .contains("proxy.request", "proxy.forward");
    assertThat(spans.spans())
        .allSatisfy(
            s -> {
              assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
              assertThat(s.getStatus().getDescription()).contains("did not answer");
            });
  }
}
