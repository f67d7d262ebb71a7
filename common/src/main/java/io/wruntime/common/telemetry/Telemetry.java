package io.wruntime.common.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.wruntime.common.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's OpenTelemetry SDK, for traces and metrics, built in this one place by the SDK's
 * autoconfiguration from the standard {@code OTEL_*} environment.
 *
 * <p>What wruntime adds to the SDK's own defaults:
 *
 * <ul>
 *   <li>Every metric is always readable as Prometheus text ({@link #prometheusText()}), which the
 *       servers serve on their admin {@code /metrics}. {@code OTEL_METRICS_EXPORTER=prometheus}
 *       means exactly that (no second HTTP server is started).
 *   <li>Spans and metrics are pushed over OTLP only when an endpoint is configured ({@code
 *       OTEL_EXPORTER_OTLP_ENDPOINT}, or the signal's own {@code
 *       OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT}) or the signal's exporter is named ({@code
 *       OTEL_TRACES_EXPORTER}, {@code OTEL_METRICS_EXPORTER}); logs are not exported.
 *   <li>The OTLP protocol is {@code http/protobuf} (the only one shipped); the propagator is W3C
 *       trace context ({@code OTEL_PROPAGATORS=tracecontext}).
 *   <li>Spans are always recorded, so every hop gets real span ids and the trace context travels
 *       on, exported or not.
 *   <li>{@code service.name} is the server's name unless {@code OTEL_SERVICE_NAME} or {@code
 *       OTEL_RESOURCE_ATTRIBUTES} says otherwise.
 *   <li>Every instrument keeps at most {@value #CARDINALITY_LIMIT} attribute combinations; further
 *       ones are counted in one series labelled {@code otel_metric_overflow="true"}.
 * </ul>
 *
 * Everything else ({@code OTEL_RESOURCE_ATTRIBUTES}, {@code OTEL_BSP_SCHEDULE_DELAY}, {@code
 * OTEL_METRIC_EXPORT_INTERVAL}, {@code OTEL_TRACES_SAMPLER}, ...) is the SDK's. Closing flushes
 * what was not exported yet and stops the exporters.
 */
public final class Telemetry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final String HTTP_PROTOBUF = "http/protobuf";
  private static final String NONE = "none";
  private static final String W3C_TRACE_CONTEXT = "tracecontext";

  /**
   * Attribute combinations one instrument keeps at most: a second line of defence behind the
   * bounded label values of each server, so no caller can grow {@code /metrics} without bound.
   */
  public static final int CARDINALITY_LIMIT = 1000;

  /**
   * Takes the place of an exporter when there is none: an SDK without any span processor hands out
   * a no-op tracer, whose spans have no ids of their own.
   */
  private static final SpanProcessor DISCARD =
      new SpanProcessor() {
        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {}

        @Override
        public boolean isStartRequired() {
          return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {}

        @Override
        public boolean isEndRequired() {
          return false;
        }
      };

  private static final PrometheusTextFormatWriter TEXT =
      PrometheusTextFormatWriter.builder().setIncludeCreatedTimestamps(false).build();

  private final OpenTelemetrySdk sdk;
  private final PrometheusMetricReader prometheus;
  private final String serviceName;
  private final boolean exportingSpans;

  private Telemetry(
      OpenTelemetrySdk sdk,
      PrometheusMetricReader prometheus,
      String serviceName,
      boolean exportingSpans) {
    this.sdk = sdk;
    this.prometheus = prometheus;
    this.serviceName = serviceName;
    this.exportingSpans = exportingSpans;
  }

  /** Telemetry configured from this process's environment; see the class comment. */
  public static Telemetry fromEnvironment(String defaultServiceName) {
    return fromEnvironment(System.getenv(), defaultServiceName);
  }

  /**
   * Telemetry configured from {@code env} (the {@code OTEL_*} variables; the process's own
   * environment fills in what {@code env} does not name); see the class comment.
   *
   * @throws ConfigException when a variable has a value that cannot be used, naming it, the value
   *     and what was expected
   */
  public static Telemetry fromEnvironment(Map<String, String> env, String defaultServiceName) {
    requireNonNull(env, "env");
    requireNonNull(defaultServiceName, "defaultServiceName");
    checkEndpoint(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
    checkEndpoint(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    checkEndpoint(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
    Map<String, String> properties = new HashMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith("OTEL_") && value != null && !value.isBlank()) {
            properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
          }
        });
    boolean anyEndpoint = set(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
    properties.putIfAbsent(
        "otel.traces.exporter",
        anyEndpoint || set(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ? "otlp" : NONE);
    properties.putIfAbsent(
        "otel.metrics.exporter",
        anyEndpoint || set(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") ? "otlp" : NONE);
    properties.put("otel.metrics.exporter", withoutPrometheus(properties));
    properties.putIfAbsent("otel.logs.exporter", NONE);
    checkProtocol(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", properties, "otel.traces.exporter");
    checkProtocol(env, "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", properties, "otel.metrics.exporter");
    properties.putIfAbsent("otel.exporter.otlp.protocol", HTTP_PROTOBUF);
    properties.putIfAbsent("otel.propagators", W3C_TRACE_CONTEXT);
    Telemetry telemetry = assemble(properties, defaultServiceName, null);
    if (telemetry.exportingSpans || !properties.get("otel.metrics.exporter").equals(NONE)) {
      LOG.info(
          "telemetry of service {}: spans to {}, metrics to {} and /metrics",
          telemetry.serviceName,
          properties.get("otel.traces.exporter"),
          properties.get("otel.metrics.exporter"));
    } else {
      LOG.debug("spans and metrics are not pushed: no OTLP endpoint or exporter is configured");
    }
    return telemetry;
  }

  /** Telemetry that records spans (so trace context propagates) but exports none. */
  public static Telemetry notExporting(String serviceName) {
    requireNonNull(serviceName, "serviceName");
    return assemble(localOnly(), serviceName, null);
  }

  /**
   * Telemetry that hands every span to {@code exporter} as soon as it ends (tests plug an in-memory
   * exporter here). Closing shuts the exporter down.
   */
  public static Telemetry exportingTo(SpanExporter exporter, String serviceName) {
    requireNonNull(exporter, "exporter");
    requireNonNull(serviceName, "serviceName");
    return assemble(localOnly(), serviceName, SimpleSpanProcessor.create(exporter));
  }

  private static Map<String, String> localOnly() {
    return Map.of(
        "otel.traces.exporter",
        NONE,
        "otel.metrics.exporter",
        NONE,
        "otel.logs.exporter",
        NONE,
        "otel.propagators",
        W3C_TRACE_CONTEXT);
  }

  /**
   * The one place the SDK is built: {@code properties} override whatever the process environment
   * says; the Prometheus reader is always registered.
   */
  private static Telemetry assemble(
      Map<String, String> properties, String defaultServiceName, SpanProcessor processor) {
    PrometheusMetricReader prometheus =
        PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build();
    Map<String, String> fixed = Map.copyOf(properties);
    AutoConfiguredOpenTelemetrySdk configured;
    Resource[] chosen = new Resource[1];
    try {
      configured =
          AutoConfiguredOpenTelemetrySdk.builder()
              .addPropertiesCustomizer(config -> fixed)
              .addResourceCustomizer(
                  (resource, config) -> {
                    Resource named =
                        serviceNameSet(resource)
                            ? resource
                            : resource.merge(
                                Resource.create(Attributes.of(SERVICE_NAME, defaultServiceName)));
                    chosen[0] = named;
                    return named;
                  })
              .addTracerProviderCustomizer(
                  (tracing, config) ->
                      tracing.addSpanProcessor(processor == null ? DISCARD : processor))
              .addMeterProviderCustomizer(
                  (metering, config) ->
                      metering.registerMetricReader(prometheus, type -> CARDINALITY_LIMIT))
              .disableShutdownHook()
              .build();
    } catch (ConfigurationException e) {
      throw new ConfigException(
          "the OTEL_* environment is not usable: "
              + e.getMessage()
              + " (expected: values the OpenTelemetry SDK autoconfiguration accepts)");
    }
    OpenTelemetrySdk sdk = configured.getOpenTelemetrySdk();
    String service = chosen[0].getAttribute(SERVICE_NAME);
    boolean exporting = processor != null || !fixed.get("otel.traces.exporter").equals(NONE);
    return new Telemetry(sdk, prometheus, service, exporting);
  }

  private static boolean serviceNameSet(Resource resource) {
    String name = resource.getAttribute(SERVICE_NAME);
    return name != null && !name.startsWith("unknown_service");
  }

  /** The metrics exporters without {@code prometheus}, which our own /metrics already is. */
  private static String withoutPrometheus(Map<String, String> properties) {
    List<String> exporters =
        Arrays.stream(properties.get("otel.metrics.exporter").split(","))
            .map(String::trim)
            .filter(e -> !e.isEmpty() && !e.equals("prometheus"))
            .toList();
    return exporters.isEmpty() ? NONE : String.join(",", exporters);
  }

  private static void checkEndpoint(Map<String, String> env, String variable) {
    String value = env.get(variable);
    if (value == null || value.isBlank()) {
      return;
    }
    value = value.trim();
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new ConfigException(
        variable + "=" + value + " is not an http(s) URL (expected: e.g. http://localhost:4318)");
  }

  /**
   * Only OTLP over HTTP with protobuf is shipped; say so instead of failing at the first export.
   */
  private static void checkProtocol(
      Map<String, String> env, String signalVariable, Map<String, String> properties, String key) {
    if (!properties.get(key).contains("otlp")) {
      return;
    }
    String variable = set(env, signalVariable) ? signalVariable : "OTEL_EXPORTER_OTLP_PROTOCOL";
    String protocol = env.getOrDefault(variable, HTTP_PROTOBUF).trim();
    if (!protocol.isEmpty() && !protocol.equals(HTTP_PROTOBUF)) {
      throw new ConfigException(
          variable
              + "="
              + protocol
              + " is not supported (expected: http/protobuf, sent to an OTLP/HTTP endpoint such"
              + " as http://localhost:4318)");
    }
  }

  private static boolean set(Map<String, String> env, String variable) {
    String value = env.get(variable);
    return value != null && !value.isBlank();
  }

  /** The OpenTelemetry API entry point to instrument with. */
  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  /** A tracer for one instrumentation scope, e.g. {@code io.wruntime.engine}. */
  public Tracer tracer(String scope) {
    return sdk.getTracer(requireNonNull(scope, "scope"));
  }

  /** A meter for one instrumentation scope, e.g. {@code io.wruntime.proxy}. */
  public Meter meter(String scope) {
    return sdk.getMeter(requireNonNull(scope, "scope"));
  }

  /** The {@code service.name} spans and metrics carry. */
  public String serviceName() {
    return serviceName;
  }

  /** True when ended spans go to an exporter. */
  public boolean isExporting() {
    return exportingSpans;
  }

  /** Every metric as it is now. */
  public MetricSnapshots collectMetrics() {
    return prometheus.collect();
  }

  /**
   * Every metric in the Prometheus text exposition format ({@value #PROMETHEUS_CONTENT_TYPE}), with
   * the OpenTelemetry names translated as Prometheus expects them (unit suffixes such as {@code
   * _seconds} and {@code _bytes}, {@code _total} on counters) and the resource in {@code
   * target_info}.
   */
  public String prometheusText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try {
      TEXT.write(out, collectMetrics(), EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The content type of {@link #prometheusText()}. */
  public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Exports what is left (for up to 5 s) and stops the exporters. Idempotent. */
  @Override
  public void close() {
    sdk.shutdown().join(5, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "Telemetry[" + serviceName + "]";
  }
}
