package io.wruntime.engine.config;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;

/**
 * Engine-wide execution limits ({@code [pool]}).
 *
 * @param totalComponentInstances the most module instances running at once across all modules
 * @param maxMemorySize the default linear-memory limit of one instance, in bytes
 * @param execution how module code runs
 * @param guestThreads the platform threads guest code runs on; a request holds one while its
 *     instance runs
 * @param moduleGuestThreads the most guest threads one module may hold at once, so that a module
 *     whose requests all spin leaves threads for the others
 * @param maxTotalMemory the engine's memory budget: the sum of the linear-memory limits of all
 *     instances running at once, in bytes
 */
public record PoolConfig(
    int totalComponentInstances,
    long maxMemorySize,
    ExecutionMode execution,
    int guestThreads,
    int moduleGuestThreads,
    long maxTotalMemory) {
  public static final int DEFAULT_TOTAL_COMPONENT_INSTANCES = 1000;
  public static final long DEFAULT_MAX_MEMORY_SIZE = 10L * 1024 * 1024;

  public PoolConfig {
    requireNonNull(execution, "execution");
    if (guestThreads < 1) {
      throw new IllegalArgumentException("guestThreads: " + guestThreads + " (expected: >= 1)");
    }
    if (moduleGuestThreads < 1 || moduleGuestThreads > guestThreads) {
      throw new IllegalArgumentException(
          "moduleGuestThreads: "
              + moduleGuestThreads
              + " (expected: 1 to guestThreads = "
              + guestThreads
              + ")");
    }
    if (maxTotalMemory < 1) {
      throw new IllegalArgumentException("maxTotalMemory: " + maxTotalMemory + " (expected: >= 1)");
    }
  }

  /** With the default guest threads, each module free to use all of them, and memory budget. */
  public PoolConfig(int totalComponentInstances, long maxMemorySize, ExecutionMode execution) {
    this(
        totalComponentInstances,
        maxMemorySize,
        execution,
        defaultGuestThreads(),
        defaultGuestThreads(),
        defaultMaxTotalMemory());
  }

  public static PoolConfig defaults() {
    return new PoolConfig(
        DEFAULT_TOTAL_COMPONENT_INSTANCES, DEFAULT_MAX_MEMORY_SIZE, ExecutionMode.COMPILED);
  }

  /**
   * Twice the available processors, at least 2: a CPU-bound guest gains nothing from more threads
   * than cores, but guests also wait in host calls (request and response bodies, outgoing calls)
   * while holding their thread.
   */
  public static int defaultGuestThreads() {
    return Math.max(2, 2 * Runtime.getRuntime().availableProcessors());
  }

  /**
   * The whole pool when the engine hosts one module (a pod on Kubernetes: nothing to leave room
   * for); otherwise the pool less a quarter of it (at least one thread), kept for the other modules
   * and their health probes.
   */
  public static int defaultModuleGuestThreads(int guestThreads, int modules) {
    if (modules <= 1 || guestThreads == 1) {
      return guestThreads;
    }
    return guestThreads - Math.max(1, guestThreads / 4);
  }

  /** Three quarters of the JVM's maximum heap: linear memories live on the heap. */
  public static long defaultMaxTotalMemory() {
    return Runtime.getRuntime().maxMemory() / 4 * 3;
  }

  /** The same limits with another number of guest threads one module may hold. */
  public PoolConfig withModuleGuestThreads(int newModuleGuestThreads) {
    return new PoolConfig(
        totalComponentInstances,
        maxMemorySize,
        execution,
        guestThreads,
        newModuleGuestThreads,
        maxTotalMemory);
  }
}
