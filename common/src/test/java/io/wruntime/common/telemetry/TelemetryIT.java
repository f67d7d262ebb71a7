package io.wruntime.common.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.trace.Span;
import io.wruntime.common.config.ConfigException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Telemetry from the OTEL_* variables, exporting to an OTLP/HTTP collector faked on loopback. */
class TelemetryIT {
  /** What the fake collector received: "METHOD path content-type" and the body. */
  private record Export(String head, String body) {}

  private final List<Export> exports = new CopyOnWriteArrayList<>();
  private HttpServer collector;
  private String endpoint;

  @BeforeEach
  void startCollector() throws Exception {
    collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          exports.add(
              new Export(
                  exchange.getRequestMethod()
                      + " "
                      + exchange.getRequestURI().getPath()
                      + " "
                      + exchange.getRequestHeaders().getFirst("content-type"),
                  new String(body, StandardCharsets.ISO_8859_1)));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.start();
    endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
  }

  @AfterEach
  void stopCollector() {
    collector.stop(0);
  }

  private static void traceOneSpan(Telemetry telemetry, String name) {
    Span span = telemetry.tracer("test").spanBuilder(name).startSpan();
    assertThat(span.getSpanContext().isValid()).isTrue();
    span.end();
  }

  @Test
  void exportsSpansOverOtlpHttpToTheEndpointUnderTheServiceName() {
    Telemetry telemetry =
        Telemetry.fromEnvironment(
            Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint + "/", "OTEL_SERVICE_NAME", "shop-edge"),
            "wr-engine");
    assertThat(telemetry.isExporting()).isTrue();
    assertThat(telemetry.serviceName()).isEqualTo("shop-edge");

    traceOneSpan(telemetry, "checkout-span");
    telemetry.close();

    assertThat(exports).extracting(Export::head).contains("POST /v1/traces application/x-protobuf");
    assertThat(exports.stream().filter(e -> e.head().contains("/v1/traces")))
        .hasSize(1)
        .allSatisfy(e -> assertThat(e.body()).contains("checkout-span").contains("shop-edge"));
  }

  @Test
  void theTracesEndpointIsUsedAsItIs() {
    Telemetry telemetry =
        Telemetry.fromEnvironment(
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://127.0.0.1:1",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                endpoint + "/collect/spans"),
            "wr-proxy");

    traceOneSpan(telemetry, "routed-span");
    telemetry.close();

    assertThat(exports)
        .extracting(Export::head)
        .containsExactly("POST /collect/spans application/x-protobuf");
    assertThat(exports.get(0).body()).contains("wr-proxy");
  }

  @Test
  void withoutAnEndpointSpansAreRecordedButNotExported() {
    Telemetry telemetry = Telemetry.fromEnvironment(Map.of(), "wr-engine");

    assertThat(telemetry.isExporting()).isFalse();
    assertThat(telemetry.serviceName()).isEqualTo("wr-engine");
    traceOneSpan(telemetry, "local-span");
    telemetry.close();
    assertThat(exports).isEmpty();
  }

  @Test
  void unusableValuesAreConfigErrors() {
    assertThatThrownBy(
            () ->
                Telemetry.fromEnvironment(
                    Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"), "wr-engine"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4318 is not an http(s) URL (expected: e.g."
                + " http://localhost:4318)");
    assertThatThrownBy(
            () ->
                Telemetry.fromEnvironment(
                    Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT",
                        endpoint,
                        "OTEL_EXPORTER_OTLP_PROTOCOL",
                        "grpc"),
                    "wr-engine"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported (expected: http/protobuf, sent to"
                + " an OTLP/HTTP endpoint such as http://localhost:4318)");
  }

  @Test
  void metricsAreAlwaysReadableAsPrometheusTextWithTheResourceInTargetInfo() {
    Telemetry telemetry =
        Telemetry.fromEnvironment(
            Map.of("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=staging"), "wr-proxy");
    telemetry.meter("test").counterBuilder("wr_test_calls").build().add(3);

    String text = telemetry.prometheusText();
    telemetry.close();

    assertThat(text).contains("wr_test_calls_total 3.0");
    assertThat(text)
        .containsPattern(
            "target_info\\{[^}]*deployment_environment=\"staging\"[^}]*service_name=\"wr-proxy\"");
    assertThat(exports).isEmpty();
  }

  @Test
  void metricsArePushedOverOtlpWhenTheExporterIsNamed() {
    Telemetry telemetry =
        Telemetry.fromEnvironment(
            Map.of(
                "OTEL_METRICS_EXPORTER", "otlp,prometheus",
                "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", endpoint + "/v1/metrics",
                "OTEL_SERVICE_NAME", "shop-edge"),
            "wr-engine");
    telemetry.meter("test").counterBuilder("wr_test_calls").build().add(1);
    telemetry.close();

    assertThat(exports)
        .extracting(Export::head)
        .containsExactly("POST /v1/metrics application/x-protobuf");
    assertThat(exports.get(0).body()).contains("wr_test_calls").contains("shop-edge");
  }

  @Test
  void anUnknownExporterIsAConfigError() {
    assertThatThrownBy(
            () -> Telemetry.fromEnvironment(Map.of("OTEL_METRICS_EXPORTER", "statsd"), "wr-engine"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("the OTEL_* environment is not usable: ")
        .hasMessageContaining("statsd");
  }
}
