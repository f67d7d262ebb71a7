package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls {@link Registry#checkHealth()} at a fixed interval, so that routes whose heartbeats grew
 * stale turn unhealthy even when nothing else happens.
 */
public final class HealthMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

  private final Registry registry;
  private final Duration interval;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("health-monitor").daemon(true).factory());

  public HealthMonitor(Registry registry, Duration interval) {
    this.registry = requireNonNull(registry, "registry");
    this.interval = requireNonNull(interval, "interval");
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: positive)");
    }
  }

  /** Starts checking; the first check runs one interval from now. */
  public HealthMonitor start() {
    long millis = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::check, millis, millis, TimeUnit.MILLISECONDS);
    return this;
  }

  private void check() {
    try {
      if (registry.checkHealth()) {
        LOG.info(
            "stale heartbeats changed route health: routing table version {}", registry.version());
      }
    } catch (RuntimeException e) {
      // A failed check must not end the schedule: the next tick tries again.
      LOG.error("health check failed", e);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
