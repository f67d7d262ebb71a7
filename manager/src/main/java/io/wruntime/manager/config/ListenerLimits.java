package io.wruntime.manager.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Caps of the manager's gRPC listener ({@code listen_address}).
 *
 * @param maxConnections the most connections open at once ({@code max_connections}); beyond it a
 *     new connection is closed as soon as it is accepted
 * @param maxConcurrentCallsPerConnection the most calls (HTTP/2 streams) one connection may have
 *     open at once ({@code max_concurrent_calls_per_connection}); a client queues further calls
 *     until one ends
 * @param idleTimeout how long a connection may stay without any call before it is closed ({@code
 *     idle_timeout_secs}); a proxy's routing-table watch is a call, so its connection never idles
 */
public record ListenerLimits(
    int maxConnections, int maxConcurrentCallsPerConnection, Duration idleTimeout) {
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  public static final int DEFAULT_MAX_CONCURRENT_CALLS_PER_CONNECTION = 100;
  public static final int DEFAULT_IDLE_TIMEOUT_SECS = 300;

  public ListenerLimits {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
    }
    if (maxConcurrentCallsPerConnection < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentCallsPerConnection: "
              + maxConcurrentCallsPerConnection
              + " (expected: >= 1)");
    }
    requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: positive)");
    }
  }

  public static ListenerLimits defaults() {
    return new ListenerLimits(
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_MAX_CONCURRENT_CALLS_PER_CONNECTION,
        Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_SECS));
  }
}
