package io.wruntime.proxy.telemetry;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's tracing: spans {@code proxy.request} (one per call, child of the caller's {@code
 * traceparent}) and {@code proxy.forward} (the hop to the upstream, whose context travels on in
 * {@code traceparent}), with attributes {@code wr.source}, {@code wr.destination} and {@code
 * http.response.status_code}.
 *
 * <p>Spans are always recorded, so that the trace context propagates with fresh span ids; they are
 * exported over OTLP only when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set.
 */
public final class Telemetry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);

  public static final AttributeKey<String> SOURCE = AttributeKey.stringKey("wr.source");
  public static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("wr.destination");
  public static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> PEER = AttributeKey.stringKey("server.address");

  private static final TextMapGetter<HttpHeaders> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpHeaders carrier) {
          return carrier.names();
        }

        @Override
        public String get(HttpHeaders carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private static final TextMapSetter<HttpHeaders> SETTER =
      (carrier, key, value) -> {
        if (carrier != null) {
          carrier.set(key, value);
        }
      };

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final AutoCloseable owned;

  private Telemetry(OpenTelemetry openTelemetry, AutoCloseable owned) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry.getTracer("io.wruntime.proxy");
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    this.owned = owned;
  }

  /**
   * Tracing configured from the standard variables: {@code OTEL_EXPORTER_OTLP_ENDPOINT} (no export
   * when unset), {@code OTEL_EXPORTER_OTLP_PROTOCOL} (only {@code http/protobuf}, the default;
   * {@code grpc} is not supported: nothing is exported) and {@code OTEL_SERVICE_NAME} (default
   * {@code wr-proxy}).
   */
  public static Telemetry fromEnvironment(Map<String, String> env) {
    requireNonNull(env, "env");
    String endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
    String service = env.getOrDefault("OTEL_SERVICE_NAME", "wr-proxy");
    SdkTracerProviderBuilder tracing =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), service))));
    if (endpoint != null && !endpoint.isBlank()) {
      String protocol = env.getOrDefault("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
      if (protocol.equals("http/protobuf")) {
        String base =
            endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        SpanExporter exporter =
            OtlpHttpSpanExporter.builder().setEndpoint(base + "/v1/traces").build();
        tracing.addSpanProcessor(BatchSpanProcessor.builder(exporter).build());
        LOG.info("exporting spans over OTLP (http/protobuf) to {}", endpoint);
      } else {
        LOG.warn(
            "OTEL_EXPORTER_OTLP_PROTOCOL={} is not supported (expected: http/protobuf); spans are"
                + " not exported",
            protocol);
      }
    }
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(tracing.build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    return new Telemetry(sdk, sdk);
  }

  /** Tracing through {@code openTelemetry}, which the caller owns (tests). */
  public static Telemetry of(OpenTelemetry openTelemetry) {
    return new Telemetry(requireNonNull(openTelemetry, "openTelemetry"), null);
  }

  /** Starts {@code proxy.request}, a child of the {@code traceparent} in {@code incoming}. */
  public Span startRequest(HttpHeaders incoming, String method, String source, String destination) {
    Context parent = propagator.extract(Context.root(), incoming, GETTER);
    return tracer
        .spanBuilder("proxy.request")
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(METHOD, method)
        .setAttribute(SOURCE, source)
        .setAttribute(DESTINATION, destination)
        .startSpan();
  }

  /**
   * Starts {@code proxy.forward} under {@code request} and writes its context into {@code outgoing}
   * as {@code traceparent} (replacing the caller's).
   */
  public Span startForward(
      Span request, HttpHeaders outgoing, String source, String destination, String upstream) {
    Span span =
        tracer
            .spanBuilder("proxy.forward")
            .setParent(Context.root().with(request))
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(SOURCE, source)
            .setAttribute(DESTINATION, destination)
            .setAttribute(PEER, upstream)
            .startSpan();
    propagator.inject(Context.root().with(span), outgoing, SETTER);
    return span;
  }

  /** Ends a span with its status code; 5xx and failures mark it as an error. */
  public static void end(Span span, int status, String error) {
    if (span == null) {
      return;
    }
    if (status > 0) {
      span.setAttribute(STATUS, (long) status);
    }
    if (error != null) {
      span.setStatus(StatusCode.ERROR, error);
    } else if (status >= 500) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** The OpenTelemetry instance in use. */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** Flushes and stops the exporter this instance created, if any. */
  @Override
  public void close() {
    if (owned instanceof OpenTelemetrySdk sdk) {
      sdk.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
