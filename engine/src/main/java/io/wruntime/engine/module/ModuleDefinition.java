package io.wruntime.engine.module;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What the engine needs to load one module: identity, binary, environment and limits.
 *
 * @param env environment variables the module sees through wasi:cli/environment and WASI p1
 * @param maxMemoryBytes upper bound of the instance's linear memory (rounded down to 64 KiB pages)
 * @param mode compiled to JVM bytecode once (default) or interpreted
 * @param initializeTimeout how long the module's {@code _initialize} may run when the loader checks
 *     it once at load
 * @param grants the host capabilities the module may import
 */
public record ModuleDefinition(
    String namespace,
    String name,
    String version,
    Path wasmPath,
    Map<String, String> env,
    long maxMemoryBytes,
    ExecutionMode mode,
    Duration initializeTimeout,
    HostGrants grants) {
  /** How long {@code _initialize} may run at load unless the definition says. */
  public static final Duration DEFAULT_INITIALIZE_TIMEOUT = Duration.ofSeconds(30);

  public ModuleDefinition {
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    requireNonNull(version, "version");
    requireNonNull(wasmPath, "wasmPath");
    env = Map.copyOf(requireNonNull(env, "env"));
    requireNonNull(mode, "mode");
    requireNonNull(initializeTimeout, "initializeTimeout");
    requireNonNull(grants, "grants");
  }

  /** A definition granted no host capability. */
  public ModuleDefinition(
      String namespace,
      String name,
      String version,
      Path wasmPath,
      Map<String, String> env,
      long maxMemoryBytes,
      ExecutionMode mode,
      Duration initializeTimeout) {
    this(
        namespace,
        name,
        version,
        wasmPath,
        env,
        maxMemoryBytes,
        mode,
        initializeTimeout,
        HostGrants.NONE);
  }

  /** A definition whose {@code _initialize} may run {@link #DEFAULT_INITIALIZE_TIMEOUT} at load. */
  public ModuleDefinition(
      String namespace,
      String name,
      String version,
      Path wasmPath,
      Map<String, String> env,
      long maxMemoryBytes,
      ExecutionMode mode) {
    this(namespace, name, version, wasmPath, env, maxMemoryBytes, mode, DEFAULT_INITIALIZE_TIMEOUT);
  }

  /** The same definition with other grants. */
  public ModuleDefinition withGrants(HostGrants newGrants) {
    return new ModuleDefinition(
        namespace,
        name,
        version,
        wasmPath,
        env,
        maxMemoryBytes,
        mode,
        initializeTimeout,
        newGrants);
  }

  /** {@code namespace.name@version}, as logs and errors show a module. */
  public String label() {
    return namespace + "." + name + "@" + version;
  }

  /** How module code runs. */
  public enum ExecutionMode {
    /**
     * Chicory's runtime compiler: wasm to JVM bytecode once per module (interpreter fallback per
     * function).
     */
    COMPILED,
    /** Chicory's interpreter. */
    INTERPRETED
  }
}
