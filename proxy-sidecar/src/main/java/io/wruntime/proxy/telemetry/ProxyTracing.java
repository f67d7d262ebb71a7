package io.wruntime.proxy.telemetry;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * The proxy's spans: {@code proxy.request} (one per call, child of the caller's {@code
 * traceparent}) and {@code proxy.forward} (the hop to the upstream, whose context travels on in
 * {@code traceparent}), with attributes {@code wr.source}, {@code wr.destination} and {@code
 * http.response.status_code}. The SDK behind it (recording always, exporting as the {@code OTEL_*}
 * environment says) is {@link io.wruntime.common.telemetry.Telemetry}'s.
 */
public final class ProxyTracing {

  public static final AttributeKey<String> SOURCE = AttributeKey.stringKey("wr.source");
  public static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("wr.destination");

  /** The node a peer call came from, as its certificate names it (peer listener with TLS). */
  public static final AttributeKey<String> PEER_NODE = AttributeKey.stringKey("wr.peer.node");

  /** The HTTP version a peer call arrived with: {@code 1.1} or {@code 2}. */
  public static final AttributeKey<String> PROTOCOL =
      AttributeKey.stringKey("network.protocol.version");

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

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  /** Spans through {@code openTelemetry} (its tracer and its W3C propagator). */
  public ProxyTracing(OpenTelemetry openTelemetry) {
    requireNonNull(openTelemetry, "openTelemetry");
    this.tracer = openTelemetry.getTracer("io.wruntime.proxy");
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
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
}
