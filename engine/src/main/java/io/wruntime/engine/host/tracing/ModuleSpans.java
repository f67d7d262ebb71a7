package io.wruntime.engine.host.tracing;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The spans one request of a module started: the span cap, and which span is current. The current
 * span is the newest one not yet ended; it is the parent of the next {@code start} and the trace
 * context of the module's outgoing calls ({@link InstanceContext#setCurrentTraceparent}). Without
 * one, the parent is the served request's {@code traceparent}: the engine's {@code engine.dispatch}
 * span.
 *
 * <p>One instance, one thread: not thread-safe.
 */
final class ModuleSpans {
  /** The attribute naming the module on each of its spans ({@code namespace.name@version}). */
  static final AttributeKey<String> MODULE = AttributeKey.stringKey("wr.module");

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<List<Field>> HEADERS =
      (carrier, key) -> carrier == null ? null : Field.first(carrier, key);

  private final Tracer tracer;
  private final InstanceContext ctx;
  private final int maxSpans;
  private final List<SpanResource> open = new ArrayList<>();
  private int started;

  ModuleSpans(Tracer tracer, InstanceContext ctx) {
    this.tracer = requireNonNull(tracer, "tracer");
    this.ctx = requireNonNull(ctx, "ctx");
    this.maxSpans = ctx.module().grants().maxSpans();
  }

  /**
   * Starts a span named {@code name}: a child of the current span, or a new trace ({@code root})
   * linked to the request's span. Null when the request already started {@code maxSpans}.
   */
  SpanResource start(String name, boolean root) {
    if (started >= maxSpans) {
      return null;
    }
    started++;
    SpanBuilder builder =
        tracer
            .spanBuilder(name)
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(MODULE, ctx.module().label());
    Context parent = parent();
    if (root) {
      builder.setNoParent();
      SpanContext request = Span.fromContext(parent).getSpanContext();
      if (request.isValid()) {
        builder.addLink(request);
      }
    } else {
      builder.setParent(parent);
    }
    SpanResource span = new SpanResource(builder.startSpan(), this);
    open.add(span);
    publishCurrent();
    return span;
  }

  int maxSpans() {
    return maxSpans;
  }

  /** Forgets an ended span; the newest open one (or the request's span) becomes current. */
  void ended(SpanResource span) {
    open.remove(span);
    publishCurrent();
  }

  private Context parent() {
    if (!open.isEmpty()) {
      return Context.root().with(open.get(open.size() - 1).span());
    }
    IncomingRequest request = ctx.request();
    return request == null
        ? Context.root()
        : W3C.extract(Context.root(), request.headers(), HEADERS);
  }

  private void publishCurrent() {
    String traceparent = null;
    if (!open.isEmpty()) {
      SpanContext current = open.get(open.size() - 1).span().getSpanContext();
      if (current.isValid()) {
        traceparent =
            "00-"
                + current.getTraceId()
                + "-"
                + current.getSpanId()
                + "-"
                + current.getTraceFlags().asHex();
      }
    }
    ctx.setCurrentTraceparent(traceparent);
  }
}
