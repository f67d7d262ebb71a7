package io.wruntime.proxy.http;

import io.opentelemetry.api.trace.Span;
import io.wruntime.proxy.admin.ProxyMetrics;
import io.wruntime.proxy.balance.LoadBalancer;
import io.wruntime.proxy.telemetry.ProxyTracing;

/** What learns how a request ended, each part reading the one {@link Completion}. */
final class ExchangeObservers {
  private ExchangeObservers() {}

  /**
   * Feeds {@code completion} to the circuit breaker of {@code choice} (null for egress and requests
   * refused before an instance was chosen), the request metrics and the spans.
   *
   * @param forwardSpan the span of the call upstream, or null when none was made
   */
  static void completed(
      Completion completion,
      LoadBalancer.Chosen choice,
      ProxyMetrics metrics,
      Span requestSpan,
      Span forwardSpan) {
    if (choice != null) {
      choice.finish(completion.outcome());
    }
    metrics.record(
        completion.source(),
        completion.destination(),
        completion.status(),
        completion.durationNanos());
    ProxyTracing.end(forwardSpan, completion.upstreamStatus(), completion.error());
    ProxyTracing.end(requestSpan, completion.status(), completion.error());
  }
}
