package io.wruntime.engine.host.tracing;

import io.opentelemetry.api.trace.Span;
import io.wruntime.engine.host.abi.WitResource;

/** A {@code wruntime:tracing/span.span}: one module span, ended when dropped. */
final class SpanResource implements WitResource {
  static final String WIT = "wruntime:tracing/span.span";

  private final Span span;
  private final ModuleSpans owner;
  private boolean ended;

  SpanResource(Span span, ModuleSpans owner) {
    this.span = span;
    this.owner = owner;
  }

  Span span() {
    return span;
  }

  @Override
  public String witName() {
    return WIT;
  }

  /** Ends the span (a drop, or the end of the request for a span the module leaked). */
  @Override
  public void close() {
    if (ended) {
      return;
    }
    ended = true;
    span.end();
    owner.ended(this);
  }
}
