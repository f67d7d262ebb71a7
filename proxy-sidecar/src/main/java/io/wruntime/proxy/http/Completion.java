package io.wruntime.proxy.http;

import io.wruntime.proxy.balance.LoadBalancer.Outcome;

/**
 * How one request through the proxy ended, recorded exactly once; the metrics, the spans and the
 * circuit breaker all read it (see {@link ExchangeObservers}) instead of each being updated where
 * something happened.
 *
 * @param source the caller's {@code x-wr-source} as sent ({@code unknown} when absent)
 * @param destination {@code namespace.module} or the egress host as requested, or {@code unknown}
 * @param target the upstream the request went to ({@code host:port}), or null when none was chosen
 * @param outcome what the instance's circuit breaker counts
 * @param status the status the client got; 499 when it went away first
 * @param upstreamStatus the status the upstream answered, or 0 when it did not
 * @param errorCode the proxy's error code ({@code upstream_timeout}, ...), or null
 * @param error why the exchange failed or was cut, or null when it completed
 * @param durationNanos from the request's headers to the end
 * @param requestBytes request body bytes forwarded upstream
 * @param responseBytes response body bytes written to the client
 */
public record Completion(
    String source,
    String destination,
    String target,
    Outcome outcome,
    int status,
    int upstreamStatus,
    String errorCode,
    String error,
    long durationNanos,
    long requestBytes,
    long responseBytes) {}
