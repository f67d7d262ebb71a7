package io.wruntime.common.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.wruntime.common.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's OpenTelemetry SDK: W3C trace context propagation and a tracer provider that always
 * records spans (so every hop gets real span ids and the trace context travels on), exporting them
 * over OTLP only when an endpoint is configured.
 *
 * <p>Configured from the standard environment variables:
 *
 * <ul>
 *   <li>{@code OTEL_EXPORTER_OTLP_ENDPOINT}: base URL of an OTLP/HTTP collector, e.g. {@code
 *       http://localhost:4318}; spans go to {@code <endpoint>/v1/traces}. Unset: nothing is
 *       exported.
 *   <li>{@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}: the full traces URL, overriding the former.
 *   <li>{@code OTEL_EXPORTER_OTLP_PROTOCOL} / {@code OTEL_EXPORTER_OTLP_TRACES_PROTOCOL}: only
 *       {@code http/protobuf} (the default).
 *   <li>{@code OTEL_BSP_SCHEDULE_DELAY}: milliseconds between two span exports (5000).
 *   <li>{@code OTEL_SERVICE_NAME}: the {@code service.name} resource attribute; the server's name
 *       when unset.
 * </ul>
 *
 * Closing flushes the spans not exported yet and stops the exporter.
 */
public final class Telemetry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final String HTTP_PROTOBUF = "http/protobuf";

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

  private final OpenTelemetrySdk sdk;
  private final String serviceName;
  private final String exportTarget;

  private Telemetry(OpenTelemetrySdk sdk, String serviceName, String exportTarget) {
    this.sdk = sdk;
    this.serviceName = serviceName;
    this.exportTarget = exportTarget;
  }

  /** Telemetry configured from this process's environment; see the class comment. */
  public static Telemetry fromEnvironment(String defaultServiceName) {
    return fromEnvironment(System.getenv(), defaultServiceName);
  }

  /**
   * Telemetry configured from {@code env}; see the class comment.
   *
   * @throws ConfigException when a variable has a value that cannot be used, naming it, the value
   *     and what was expected
   */
  public static Telemetry fromEnvironment(Map<String, String> env, String defaultServiceName) {
    requireNonNull(env, "env");
    requireNonNull(defaultServiceName, "defaultServiceName");
    String service = nonBlank(env.get("OTEL_SERVICE_NAME"), defaultServiceName);
    String protocolVariable =
        env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") != null
            ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
            : "OTEL_EXPORTER_OTLP_PROTOCOL";
    String protocol = nonBlank(env.get(protocolVariable), HTTP_PROTOBUF);
    String tracesEndpoint = nonBlank(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), null);
    String baseEndpoint = nonBlank(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"), null);
    String url;
    if (tracesEndpoint != null) {
      url = httpUrl("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", tracesEndpoint);
    } else if (baseEndpoint != null) {
      String base = httpUrl("OTEL_EXPORTER_OTLP_ENDPOINT", baseEndpoint);
      url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces";
    } else {
      LOG.debug("spans are not exported: OTEL_EXPORTER_OTLP_ENDPOINT is not set");
      return new Telemetry(build(service, null), service, null);
    }
    if (!protocol.equals(HTTP_PROTOBUF)) {
      throw new ConfigException(
          protocolVariable
              + "="
              + protocol
              + " is not supported (expected: http/protobuf, sent to an OTLP/HTTP endpoint such"
              + " as http://localhost:4318)");
    }
    long delayMillis = scheduleDelayMillis(env);
    SpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(url).build();
    Telemetry telemetry =
        new Telemetry(
            build(
                service,
                BatchSpanProcessor.builder(exporter)
                    .setScheduleDelay(java.time.Duration.ofMillis(delayMillis))
                    .build()),
            service,
            url);
    LOG.info("exporting spans as service {} over OTLP/HTTP to {}", service, url);
    return telemetry;
  }

  /** {@code OTEL_BSP_SCHEDULE_DELAY}: milliseconds between two exports (5000 by default). */
  private static long scheduleDelayMillis(Map<String, String> env) {
    String value = nonBlank(env.get("OTEL_BSP_SCHEDULE_DELAY"), "5000");
    try {
      long millis = Long.parseLong(value.trim());
      if (millis >= 0) {
        return millis;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(
        "OTEL_BSP_SCHEDULE_DELAY="
            + value
            + " is not usable (expected: milliseconds between two span exports, e.g. 5000)");
  }

  /** Telemetry that records spans (so trace context propagates) but exports none. */
  public static Telemetry notExporting(String serviceName) {
    requireNonNull(serviceName, "serviceName");
    return new Telemetry(build(serviceName, null), serviceName, null);
  }

  /**
   * Telemetry that hands every span to {@code exporter} as soon as it ends (tests plug an in-memory
   * exporter here). Closing shuts the exporter down.
   */
  public static Telemetry exportingTo(SpanExporter exporter, String serviceName) {
    requireNonNull(exporter, "exporter");
    requireNonNull(serviceName, "serviceName");
    return new Telemetry(
        build(serviceName, SimpleSpanProcessor.create(exporter)), serviceName, exporter.toString());
  }

  private static OpenTelemetrySdk build(String service, SpanProcessor processor) {
    SdkTracerProviderBuilder tracing =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, service))));
    tracing.addSpanProcessor(processor == null ? DISCARD : processor);
    return OpenTelemetrySdk.builder()
        .setTracerProvider(tracing.build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  private static String httpUrl(String variable, String value) {
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return value;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new ConfigException(
        variable + "=" + value + " is not an http(s) URL (expected: e.g. http://localhost:4318)");
  }

  private static String nonBlank(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  /** The OpenTelemetry API entry point to instrument with. */
  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  /** A tracer for one instrumentation scope, e.g. {@code io.wruntime.engine}. */
  public Tracer tracer(String scope) {
    return sdk.getTracer(requireNonNull(scope, "scope"));
  }

  /** The {@code service.name} spans carry. */
  public String serviceName() {
    return serviceName;
  }

  /** True when ended spans go to an exporter. */
  public boolean isExporting() {
    return exportTarget != null;
  }

  /** Exports what is left (for up to 5 s) and stops the exporter. Idempotent. */
  @Override
  public void close() {
    sdk.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
  }
}
