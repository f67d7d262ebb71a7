package io.wruntime.engine.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Caps of each of the engine's HTTP listeners ({@code listen_address}, {@code admin_address}), each
 * counted on its own.
 *
 * @param maxConnections the most connections open at once ({@code max_connections}); beyond it a
 *     new connection is closed at once
 * @param idleTimeout how long a connection may stay without a request or any traffic before it is
 *     closed ({@code idle_timeout_secs})
 */
public record ListenerLimits(int maxConnections, Duration idleTimeout) {
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  public static final int DEFAULT_IDLE_TIMEOUT_SECS = 120;

  public ListenerLimits {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
    }
    requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: positive)");
    }
  }

  public static ListenerLimits defaults() {
    return new ListenerLimits(
        DEFAULT_MAX_CONNECTIONS, Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_SECS));
  }
}
