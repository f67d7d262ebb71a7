package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long the registry trusts what it was told.
 *
 * @param engineHeartbeat an engine whose last heartbeat is older has all its routes unhealthy
 * @param moduleHeartbeat a module whose last health report is older has its route unhealthy
 * @param engineExpiry an engine not heard from for longer (no registration, heartbeat or
 *     deregistration) is forgotten with its routes
 * @param startupResync how long after the registry is created its table is marked incomplete; zero:
 *     complete at once
 */
public record RegistryTimeouts(
    Duration engineHeartbeat,
    Duration moduleHeartbeat,
    Duration engineExpiry,
    Duration startupResync) {
  public RegistryTimeouts {
    requireNonNull(engineHeartbeat, "engineHeartbeat");
    requireNonNull(moduleHeartbeat, "moduleHeartbeat");
    requireNonNull(engineExpiry, "engineExpiry");
    requireNonNull(startupResync, "startupResync");
    if (engineExpiry.compareTo(engineHeartbeat) <= 0) {
      throw new IllegalArgumentException(
          "engineExpiry: "
              + engineExpiry
              + " (expected: longer than the engine heartbeat timeout "
              + engineHeartbeat
              + ")");
    }
    if (startupResync.isNegative()) {
      throw new IllegalArgumentException("startupResync: " + startupResync + " (expected: >= 0)");
    }
  }

  /** Heartbeat timeouts with an expiry of ten engine timeouts and no startup resync. */
  public static RegistryTimeouts of(Duration engineHeartbeat, Duration moduleHeartbeat) {
    return new RegistryTimeouts(
        engineHeartbeat, moduleHeartbeat, engineHeartbeat.multipliedBy(10), Duration.ZERO);
  }
}
