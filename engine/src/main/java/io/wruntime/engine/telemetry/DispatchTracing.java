package io.wruntime.engine.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.wruntime.common.http.WrHeaders;
import io.wruntime.engine.dispatch.DispatchObserver;
import io.wruntime.engine.dispatch.HostedModule;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@code engine.dispatch} span per request dispatched to a module, a child of the request's W3C
 * {@code traceparent} (a new trace without one), with attributes {@code wr.module} ({@code
 * namespace.name@version}), {@code wr.source} (from {@code x-wr-source}, when present), {@code
 * http.request.method}, {@code http.response.status_code} and, for the engine's own errors, {@code
 * error.type} (the error code, e.g. {@code deadline_exceeded}); 5xx outcomes mark it as an error.
 *
 * <p>The module is given the request with {@code traceparent} (and {@code tracestate}) replaced by
 * the span's own context. That is how the span becomes the parent of everything the module causes:
 * the host reads the served request's {@code traceparent} for the module's outgoing calls (which
 * carry it on as is) and for the trace id of the module's log lines.
 *
 * <p>Health probes ({@code GET /__health} without a {@code traceparent}) are not traced: the engine
 * sends one to every module every few seconds.
 */
public final class DispatchTracing implements DispatchObserver {
  /** The span's name. */
  public static final String SPAN_NAME = "engine.dispatch";

  public static final AttributeKey<String> MODULE = AttributeKey.stringKey("wr.module");
  public static final AttributeKey<String> SOURCE = AttributeKey.stringKey("wr.source");
  public static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  public static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private static final String TRACESTATE = "tracestate";
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final TextMapGetter<List<Field>> HEADERS =
      (carrier, key) -> carrier == null ? null : Field.first(carrier, key);

  private final Tracer tracer;

  /** Traces with {@code tracer}, e.g. {@code telemetry.tracer("io.wruntime.engine")}. */
  public DispatchTracing(Tracer tracer) {
    this.tracer = requireNonNull(tracer, "tracer");
  }

  @Override
  public Observation started(HostedModule module, IncomingRequest request) {
    requireNonNull(module, "module");
    requireNonNull(request, "request");
    if (isHealthProbe(request)) {
      return Observation.unchanged(request);
    }
    Context parent = W3C.extract(Context.root(), request.headers(), HEADERS);
    SpanBuilder builder =
        tracer
            .spanBuilder(SPAN_NAME)
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(MODULE, module.label())
            .setAttribute(METHOD, request.method());
    String source = Field.first(request.headers(), WrHeaders.SOURCE);
    if (source != null && !source.isBlank()) {
      builder.setAttribute(SOURCE, source.trim());
    }
    Span span = builder.startSpan();
    return new Traced(span, withContextOf(span, request));
  }

  private static boolean isHealthProbe(IncomingRequest request) {
    return request.method().equals("GET")
        && request.pathWithQuery().equals("/__health")
        && Field.first(request.headers(), WrHeaders.TRACEPARENT) == null;
  }

  /** {@code request} with the trace context headers of {@code span} instead of its own. */
  private static IncomingRequest withContextOf(Span span, IncomingRequest request) {
    if (!span.getSpanContext().isValid()) {
      return request;
    }
    List<Field> headers = new ArrayList<>(request.headers().size() + 1);
    for (Field f : request.headers()) {
      if (!f.name().equalsIgnoreCase(WrHeaders.TRACEPARENT)
          && !f.name().equalsIgnoreCase(TRACESTATE)) {
        headers.add(f);
      }
    }
    W3C.inject(
        Context.root().with(span),
        headers,
        (carrier, key, value) -> {
          if (carrier != null) {
            carrier.add(Field.of(key, value));
          }
        });
    return new IncomingRequest(
        request.method(),
        request.scheme(),
        request.authority(),
        request.pathWithQuery(),
        headers,
        request.body());
  }

  /** One traced request. */
  private static final class Traced implements Observation {
    private final Span span;
    private final IncomingRequest request;
    private final AtomicBoolean ended = new AtomicBoolean();

    Traced(Span span, IncomingRequest request) {
      this.span = span;
      this.request = request;
    }

    @Override
    public IncomingRequest request() {
      return request;
    }

    @Override
    public void ended(int status, EngineError error) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      if (status > 0) {
        span.setAttribute(STATUS, (long) status);
      }
      if (error != null) {
        span.setAttribute(ERROR_TYPE, error.code());
      }
      if (status >= 500 || status == 0) {
        span.setStatus(
            StatusCode.ERROR,
            error != null ? error.message() : status == 0 ? "no response" : "status " + status);
      }
      span.end();
    }
  }
}
