package io.wruntime.engine.dispatch;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.config.ModuleConfig;
import io.wruntime.engine.config.PoolConfig;
import java.time.Duration;

/**
 * How much of the engine one module may take.
 *
 * @param requestTimeout how long one request may run before it is stopped (504)
 * @param maxConcurrentInstances instances of the module running at once
 * @param channelCapacity requests that may wait for a free instance (beyond: 429)
 * @param cpuTimeout how much CPU time one request may use before it is stopped (504)
 * @param concurrencyLimit the setting {@code maxConcurrentInstances} comes from, as messages name
 *     it, e.g. {@code max_concurrent_instances = 4}
 */
public record ModuleLimits(
    Duration requestTimeout,
    int maxConcurrentInstances,
    int channelCapacity,
    Duration cpuTimeout,
    String concurrencyLimit) {
  public ModuleLimits {
    requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: > 0)");
    }
    if (maxConcurrentInstances < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentInstances: " + maxConcurrentInstances + " (expected: >= 1)");
    }
    if (channelCapacity < 0) {
      throw new IllegalArgumentException(
          "channelCapacity: " + channelCapacity + " (expected: >= 0)");
    }
    requireNonNull(cpuTimeout, "cpuTimeout");
    if (cpuTimeout.isNegative() || cpuTimeout.isZero()) {
      throw new IllegalArgumentException("cpuTimeout: " + cpuTimeout + " (expected: > 0)");
    }
    requireNonNull(concurrencyLimit, "concurrencyLimit");
  }

  /** Limits whose CPU time is bounded by the request timeout only. */
  public ModuleLimits(Duration requestTimeout, int maxConcurrentInstances, int channelCapacity) {
    this(
        requestTimeout,
        maxConcurrentInstances,
        channelCapacity,
        requestTimeout,
        "max_concurrent_instances = " + maxConcurrentInstances);
  }

  /**
   * A module's limits in an engine with {@code pool}: its {@code max_concurrent_instances}, but no
   * more than {@code pool.module_guest_threads}, so that it cannot hold every guest thread.
   */
  public static ModuleLimits of(ModuleConfig config, PoolConfig pool) {
    int own = config.maxConcurrentInstances();
    int cap = pool.moduleGuestThreads();
    return new ModuleLimits(
        config.requestTimeout(),
        Math.min(own, cap),
        config.channelCapacity(),
        config.cpuTimeout(),
        own <= cap
            ? "max_concurrent_instances = " + own
            : "pool.module_guest_threads = " + cap + ", below max_concurrent_instances = " + own);
  }
}
