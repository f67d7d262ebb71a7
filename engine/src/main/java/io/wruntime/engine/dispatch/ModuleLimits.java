package io.wruntime.engine.dispatch;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.config.ModuleConfig;
import java.time.Duration;

/**
 * How much of the engine one module may take.
 *
 * @param requestTimeout how long one request may run before it is stopped (504)
 * @param maxConcurrentInstances instances of the module running at once
 * @param channelCapacity requests that may wait for a free instance (beyond: 429)
 */
public record ModuleLimits(
    Duration requestTimeout, int maxConcurrentInstances, int channelCapacity) {
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
  }

  public static ModuleLimits of(ModuleConfig config) {
    return new ModuleLimits(
        config.requestTimeout(), config.maxConcurrentInstances(), config.channelCapacity());
  }
}
