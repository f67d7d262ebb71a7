package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.wruntime.tests.LocalCluster.Engine;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import io.wruntime.tests.OtlpReceiver.ExportedSpan;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proxy and engine export spans over OTLP/HTTP to a receiver in this test. A call to caller, which
 * calls echo through the proxy, is one trace: proxy.request, proxy.forward, the caller's
 * engine.dispatch, then proxy.request, proxy.forward and echo's engine.dispatch, each the child of
 * the one before.
 */
class TracingIT {
  private static final Module ECHO = Module.echo("1.0.0");
  private static final Module CALLER = Module.caller();

  private static OtlpReceiver receiver;
  private static LocalCluster cluster;
  private static Proxy proxy;

  @BeforeAll
  static void startCluster() throws Exception {
    receiver = OtlpReceiver.start();
    cluster =
        new LocalCluster(
            "TracingIT",
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                receiver.endpoint(),
                "OTEL_METRIC_EXPORT_INTERVAL",
                "500"));
    cluster.startManager();
    proxy = cluster.startProxy("node-a");
    Engine engine = cluster.startEngine("engine-a", proxy, ECHO, CALLER);
    cluster.awaitHealthy(List.of(engine), List.of(ECHO, CALLER), proxy);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (receiver != null) {
        receiver.close();
      }
    }
  }

  @Test
  void aCallFromCallerToEchoIsOneTraceAcrossProxyAndEngine() throws Exception {
    Random random = new Random();
    byte[] traceBytes = new byte[16];
    byte[] parentBytes = new byte[8];
    random.nextBytes(traceBytes);
    random.nextBytes(parentBytes);
    String traceId = HexFormat.of().formatHex(traceBytes);
    String clientSpanId = HexFormat.of().formatHex(parentBytes);

    HttpResponse<String> response =
        LocalCluster.HTTP.send(
            proxy
                .request("http://example.caller/run")
                .header("traceparent", "00-" + traceId + "-" + clientSpanId + "-01")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

    // The SDK exports in batches, every 5 s.
    await("six spans of trace " + traceId)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> receiver.spans(traceId).size() >= 6);
    List<ExportedSpan> trace = receiver.spans(traceId);

    ExportedSpan request1 = child(trace, clientSpanId, "proxy.request");
    ExportedSpan forward1 = child(trace, request1.spanId(), "proxy.forward");
    ExportedSpan callerDispatch = child(trace, forward1.spanId(), "engine.dispatch");
    ExportedSpan request2 = child(trace, callerDispatch.spanId(), "proxy.request");
    ExportedSpan forward2 = child(trace, request2.spanId(), "proxy.forward");
    ExportedSpan echoDispatch = child(trace, forward2.spanId(), "engine.dispatch");

    assertThat(List.of(request1, forward1, request2, forward2))
        .extracting(ExportedSpan::service)
        .containsOnly("wr-proxy");
    assertThat(List.of(request1, request2))
        .extracting(ExportedSpan::kind)
        .containsOnly(SpanKind.SPAN_KIND_SERVER);
    assertThat(List.of(forward1, forward2))
        .extracting(ExportedSpan::kind)
        .containsOnly(SpanKind.SPAN_KIND_CLIENT);
    assertThat(request1.attribute("wr.destination")).isEqualTo("example.caller");
    assertThat(request2.attribute("wr.destination")).isEqualTo("example.echo");
    assertThat(request2.attribute("wr.source")).isEqualTo("example.caller");

    assertThat(List.of(callerDispatch, echoDispatch))
        .extracting(ExportedSpan::service)
        .containsOnly("wr-engine");
    assertThat(callerDispatch.attribute("wr.module")).isEqualTo(CALLER.label());
    assertThat(echoDispatch.attribute("wr.module")).isEqualTo(ECHO.label());
    assertThat(echoDispatch.attribute("http.response.status_code")).isEqualTo("200");
    assertThat(receiver.rejected()).isEmpty();
  }

  @Test
  void withTheSameEndpointEveryServerPushesItsMetricsOverOtlp() throws Exception {
    HttpResponse<String> response =
        LocalCluster.HTTP.send(
            proxy.request("http://example.echo/metrics-check").GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(receiver.metricNames("wr-proxy")).contains("wr_proxy_requests");
              assertThat(receiver.metricNames("wr-engine")).contains("wr_engine_requests");
              assertThat(receiver.metricNames("wr-manager"))
                  .contains("wr_manager_routing_table_version");
            });
    assertThat(receiver.rejected()).isEmpty();
  }

  /** The one span of {@code trace} named {@code name} whose parent is {@code parentSpanId}. */
  private static ExportedSpan child(List<ExportedSpan> trace, String parentSpanId, String name) {
    Predicate<ExportedSpan> wanted =
        s -> s.name().equals(name) && s.parentSpanId().equals(parentSpanId);
    List<ExportedSpan> found = trace.stream().filter(wanted).toList();
    assertThat(found).as("%s spans with parent %s among %s", name, parentSpanId, trace).hasSize(1);
    return found.get(0);
  }
}
