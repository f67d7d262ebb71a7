package io.wruntime.engine.config;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;

/**
 * Engine-wide instance limits ({@code [pool]}).
 *
 * @param totalComponentInstances the most module instances running at once across all modules
 * @param maxMemorySize the default linear-memory limit of one instance, in bytes
 * @param execution how module code runs
 */
public record PoolConfig(int totalComponentInstances, long maxMemorySize, ExecutionMode execution) {
  public static final int DEFAULT_TOTAL_COMPONENT_INSTANCES = 1000;
  public static final long DEFAULT_MAX_MEMORY_SIZE = 10L * 1024 * 1024;

  public PoolConfig {
    requireNonNull(execution, "execution");
  }

  public static PoolConfig defaults() {
    return new PoolConfig(
        DEFAULT_TOTAL_COMPONENT_INSTANCES, DEFAULT_MAX_MEMORY_SIZE, ExecutionMode.COMPILED);
  }
}
