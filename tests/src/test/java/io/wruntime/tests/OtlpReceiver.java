package io.wruntime.tests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP receiver on loopback: takes {@code POST /v1/traces} with a protobuf {@code
 * ExportTraceServiceRequest} and {@code POST /v1/metrics} with an {@code
 * ExportMetricsServiceRequest}, as the OpenTelemetry SDK exports, and keeps every span and the
 * names of the metrics each service sent.
 */
final class OtlpReceiver implements AutoCloseable {
  /** One received span, ids in lowercase hex ("" for a root span's parent). */
  record ExportedSpan(
      String service,
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      Span.SpanKind kind,
      Map<String, String> attributes) {
    String attribute(String key) {
      return attributes.get(key);
    }
  }

  private final HttpServer server;
  private final List<ExportedSpan> spans = new CopyOnWriteArrayList<>();
  private final List<String> rejected = new CopyOnWriteArrayList<>();
  private final Map<String, Set<String>> metrics = new ConcurrentHashMap<>();

  private OtlpReceiver(HttpServer server) {
    this.server = server;
  }

  static OtlpReceiver start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    OtlpReceiver receiver = new OtlpReceiver(server);
    server.createContext("/", receiver::handle);
    server.start();
    return receiver;
  }

  /** The value for {@code OTEL_EXPORTER_OTLP_ENDPOINT}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Spans received so far of one trace. */
  List<ExportedSpan> spans(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  /** Names of the metrics {@code service} exported so far. */
  Set<String> metricNames(String service) {
    return Set.copyOf(metrics.getOrDefault(service, Set.of()));
  }

  /** Requests that were not a valid export ("METHOD path: reason"). */
  List<String> rejected() {
    return List.copyOf(rejected);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String request = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
      if (request.equals("POST /v1/metrics")) {
        receiveMetrics(exchange, request);
        return;
      }
      if (!request.equals("POST /v1/traces")) {
        rejected.add(request + ": not an OTLP/HTTP trace or metrics export");
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      ExportTraceServiceRequest export;
      try (InputStream body = body(exchange)) {
        export = ExportTraceServiceRequest.parseFrom(body);
      } catch (IOException e) {
        rejected.add(request + ": " + e.getMessage());
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      for (ResourceSpans resourceSpans : export.getResourceSpansList()) {
        String service = service(resourceSpans.getResource());
        for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
          for (Span span : scopeSpans.getSpansList()) {
            spans.add(exported(service, span));
          }
        }
      }
      byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
      exchange.getResponseHeaders().set("content-type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
      exchange.getResponseBody().write(answer);
    }
  }

  private void receiveMetrics(HttpExchange exchange, String request) throws IOException {
    ExportMetricsServiceRequest export;
    try (InputStream body = body(exchange)) {
      export = ExportMetricsServiceRequest.parseFrom(body);
    } catch (IOException e) {
      rejected.add(request + ": " + e.getMessage());
      exchange.sendResponseHeaders(400, -1);
      return;
    }
    for (ResourceMetrics resourceMetrics : export.getResourceMetricsList()) {
      Set<String> names =
          metrics.computeIfAbsent(
              service(resourceMetrics.getResource()), k -> ConcurrentHashMap.newKeySet());
      for (ScopeMetrics scope : resourceMetrics.getScopeMetricsList()) {
        for (Metric metric : scope.getMetricsList()) {
          names.add(metric.getName());
        }
      }
    }
    byte[] answer = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
    exchange.getResponseHeaders().set("content-type", "application/x-protobuf");
    exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
    exchange.getResponseBody().write(answer);
  }

  private static InputStream body(HttpExchange exchange) throws IOException {
    String encoding = exchange.getRequestHeaders().getFirst("content-encoding");
    InputStream body = exchange.getRequestBody();
    return "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(body) : body;
  }

  private static String service(Resource resource) {
    for (KeyValue kv : resource.getAttributesList()) {
      if (kv.getKey().equals("service.name")) {
        return text(kv.getValue());
      }
    }
    return "";
  }

  private static ExportedSpan exported(String service, Span span) {
    Map<String, String> attributes = new HashMap<>();
    for (KeyValue kv : span.getAttributesList()) {
      attributes.put(kv.getKey(), text(kv.getValue()));
    }
    HexFormat hex = HexFormat.of();
    return new ExportedSpan(
        service,
        hex.formatHex(span.getTraceId().toByteArray()),
        hex.formatHex(span.getSpanId().toByteArray()),
        hex.formatHex(span.getParentSpanId().toByteArray()),
        span.getName(),
        span.getKind(),
        Map.copyOf(attributes));
  }

  private static String text(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case INT_VALUE -> Long.toString(value.getIntValue());
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      default -> value.toString();
    };
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
