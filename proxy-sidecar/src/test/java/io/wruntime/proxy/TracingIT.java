package io.wruntime.proxy;

import static io.wruntime.proxy.Mesh.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.common.testing.RecordingSpanExporter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The trace context crosses the proxy: same trace, new span ids, spans recorded. */
@ExtendWith(LeakRecorder.class)
class TracingIT {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";

  private Mesh mesh;
  private final RecordingSpanExporter collect = new RecordingSpanExporter();

  @BeforeEach
  void start() throws Exception {
    mesh = new Mesh();
  }

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  @Test
  void theEngineSeesTheCallersTraceWithTheForwardSpanAsParent() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "", Telemetry.exportingTo(collect, Proxy.SERVICE_NAME));
    FakeEngine engine = mesh.engine();
    mesh.register("e1", engine, proxy, null, ref("example", "echo", "1.0.0"));
    Mesh.awaitRouted(proxy, "example", "echo", 1);

    HttpResponse<String> response =
        mesh.send(
            mesh.call(proxy, "http://example.echo", "/t")
                .header("traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01")
                .GET()
                .build());

    assertThat(response.statusCode()).isEqualTo(200);
    String traceparent = engine.next().headers().get("traceparent");
    assertThat(traceparent).startsWith("00-" + TRACE_ID + "-").endsWith("-01");
    String forwardSpanId = traceparent.split("-")[2];
    assertThat(forwardSpanId).isNotEqualTo(CALLER_SPAN);

    await().atMost(Duration.ofSeconds(10)).until(() -> collect.spans().size() == 2);
    SpanData request = span("proxy.request");
    SpanData forward = span("proxy.forward");
    assertThat(request.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(request.getParentSpanId()).isEqualTo(CALLER_SPAN);
    assertThat(forward.getSpanId()).isEqualTo(forwardSpanId);
    assertThat(forward.getParentSpanId()).isEqualTo(request.getSpanId());
    for (SpanData span : List.of(request, forward)) {
      assertThat(span.getAttributes().get(AttributeKey.stringKey("wr.source")))
          .isEqualTo("example.caller");
      assertThat(span.getAttributes().get(AttributeKey.stringKey("wr.destination")))
          .isEqualTo("example.echo");
      assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
          .isEqualTo(200L);
    }
  }

  private SpanData span(String name) {
    return collect.named(name).getFirst();
  }
}
