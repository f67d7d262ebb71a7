package io.wruntime.proxy.http;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the request handler of one listener works with.
 *
 * @param kind internal or peer
 * @param forwarding routing, balancing, telemetry and timeouts
 * @param upstreams connections to local engines and egress hosts (HTTP/1.1)
 * @param peers connections to other proxies' peer ports (TLS and HTTP/2 when {@code [node.tls]} is
 *     configured, else the same as {@code upstreams})
 * @param callers the concurrent-request cap per caller of this listener
 * @param authenticated whether connections are authenticated by certificate (the peer listener with
 *     TLS): then a request without a verified node identity is refused
 * @param inFlight requests being answered now, for graceful stop
 */
record Listener(
    ListenerKind kind,
    Forwarding forwarding,
    Upstreams upstreams,
    Upstreams peers,
    CallerLimits callers,
    boolean authenticated,
    AtomicInteger inFlight) {
  Listener {
    requireNonNull(kind, "kind");
    requireNonNull(forwarding, "forwarding");
    requireNonNull(upstreams, "upstreams");
    requireNonNull(peers, "peers");
    requireNonNull(callers, "callers");
    requireNonNull(inFlight, "inFlight");
  }
}
