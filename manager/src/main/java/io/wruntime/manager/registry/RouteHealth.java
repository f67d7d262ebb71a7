package io.wruntime.manager.registry;

import java.time.Duration;
import java.time.Instant;

/**
 * Route health as a pure function of what an engine reported and when, the clock and the timeouts:
 * no state, so every rule is testable with plain values.
 */
public final class RouteHealth {
  private RouteHealth() {}

  /** What the registry knows of an engine, for evaluation. */
  public record EngineReport(String engineId, boolean deregistered, Instant lastHeartbeat) {}

  /** What the registry knows of one module of an engine, for evaluation. */
  public record ModuleReport(
      ModuleKey key, Instant lastHeartbeat, boolean reportedHealthy, String reportedDetail) {}

  /** Whether the engine counts as alive at {@code now}: not deregistered, heartbeat fresh. */
  public static boolean alive(EngineReport engine, Instant now, RegistryTimeouts timeouts) {
    return !engine.deregistered()
        && isFresh(engine.lastHeartbeat(), now, timeouts.engineHeartbeat());
  }

  /** Why the module's route may not receive traffic at {@code now}; empty when it is healthy. */
  public static String problem(
      EngineReport engine, ModuleReport module, Instant now, RegistryTimeouts timeouts) {
    if (engine.deregistered()) {
      return "engine " + engine.engineId() + " deregistered";
    }
    if (engine.lastHeartbeat() == null) {
      return "no heartbeat from engine " + engine.engineId() + " since it registered";
    }
    if (!isFresh(engine.lastHeartbeat(), now, timeouts.engineHeartbeat())) {
      return staleness(
          "engine " + engine.engineId(), engine.lastHeartbeat(), now, timeouts.engineHeartbeat());
    }
    if (module.lastHeartbeat() == null) {
      return "no health report since the engine registered";
    }
    if (!isFresh(module.lastHeartbeat(), now, timeouts.moduleHeartbeat())) {
      return staleness(
          "module " + module.key(), module.lastHeartbeat(), now, timeouts.moduleHeartbeat());
    }
    if (!module.reportedHealthy()) {
      return module.reportedDetail().isEmpty() ? "reported unhealthy" : module.reportedDetail();
    }
    return "";
  }

  /** Whether an engine last heard from at {@code lastSeen} is to be forgotten at {@code now}. */
  public static boolean expired(Instant lastSeen, Instant now, RegistryTimeouts timeouts) {
    return Duration.between(lastSeen, now).compareTo(timeouts.engineExpiry()) > 0;
  }

  private static boolean isFresh(Instant last, Instant now, Duration timeout) {
    return last != null && Duration.between(last, now).compareTo(timeout) <= 0;
  }

  private static String staleness(String what, Instant last, Instant now, Duration timeout) {
    return "last heartbeat of "
        + what
        + " is "
        + Duration.between(last, now).toSeconds()
        + " s old (expected: at most "
        + timeout.toSeconds()
        + " s)";
  }
}
