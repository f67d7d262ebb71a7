package io.wruntime.engine.config;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.module.HostGrants;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * One hosted module ({@code [[module]]}).
 *
 * @param wasm where the module binary comes from: a file, an OCI artifact or a URL (not checked
 *     here: a missing file or a failed fetch makes the module unavailable, not the engine)
 * @param schemaPath absolute path of its compiled protobuf schema, or null
 * @param requestTimeout how long one request may run before it is stopped (504)
 * @param channelCapacity how many requests may wait for a free instance (more: 429)
 * @param maxConcurrentInstances how many instances of this module may run at once
 * @param maxMemorySize linear-memory limit of one instance, in bytes
 * @param cpuTimeout how much CPU time one request may use before it is stopped (504); at most
 *     {@code requestTimeout}
 * @param capabilities the host capabilities granted to it ({@link ModuleCapabilities#NONE} when
 *     none)
 */
public record ModuleConfig(
    String namespace,
    String name,
    String version,
    WasmSource wasm,
    Path schemaPath,
    Map<String, String> env,
    Duration requestTimeout,
    int channelCapacity,
    int maxConcurrentInstances,
    long maxMemorySize,
    Duration cpuTimeout,
    ModuleCapabilities capabilities) {
  public static final int DEFAULT_REQUEST_TIMEOUT_SECS = 30;
  public static final int DEFAULT_CHANNEL_CAPACITY = 128;
  public static final int DEFAULT_MAX_CONCURRENT_INSTANCES = 64;

  public ModuleConfig {
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    requireNonNull(version, "version");
    requireNonNull(wasm, "wasm");
    env = Map.copyOf(requireNonNull(env, "env"));
    requireNonNull(requestTimeout, "requestTimeout");
    requireNonNull(cpuTimeout, "cpuTimeout");
    requireNonNull(capabilities, "capabilities");
  }

  /** {@code namespace.name@version}, as logs and errors show a module. */
  public String label() {
    return namespace + "." + name + "@" + version;
  }

  /** The path of a {@code wasm_path} module; null when the binary is fetched. */
  public Path wasmPath() {
    return wasm instanceof WasmSource.File file ? file.path() : null;
  }

  /** The same module with another schema file (e.g. the schema layer of its image). */
  public ModuleConfig withSchemaPath(Path newSchemaPath) {
    return new ModuleConfig(
        namespace,
        name,
        version,
        wasm,
        newSchemaPath,
        env,
        requestTimeout,
        channelCapacity,
        maxConcurrentInstances,
        maxMemorySize,
        cpuTimeout,
        capabilities);
  }

  /** The same module with other capabilities (e.g. {@code wr-cli dev up}'s embedded S3). */
  public ModuleConfig withCapabilities(ModuleCapabilities newCapabilities) {
    return new ModuleConfig(
        namespace,
        name,
        version,
        wasm,
        schemaPath,
        env,
        requestTimeout,
        channelCapacity,
        maxConcurrentInstances,
        maxMemorySize,
        cpuTimeout,
        newCapabilities);
  }

  /**
   * What the module loader needs, the binary read from {@code wasmFile}; its {@code _initialize}
   * may run at load for as long as a request may.
   */
  public ModuleDefinition toDefinition(ExecutionMode mode, Path wasmFile) {
    return toDefinition(mode, wasmFile, LimitsConfig.defaults().spans());
  }

  /**
   * As {@link #toDefinition(ExecutionMode, Path)}, the span cap of its tracing grant defaulting to
   * {@code defaultMaxSpans} ({@code [limits] spans}).
   */
  public ModuleDefinition toDefinition(ExecutionMode mode, Path wasmFile, int defaultMaxSpans) {
    return toDefinition(mode, wasmFile, defaultMaxSpans, HostGrants.DEFAULT_MAX_LLM_STREAMS);
  }

  /**
   * As {@link #toDefinition(ExecutionMode, Path, int)}, a request of the module having at most
   * {@code maxLlmStreams} LLM streams open ({@code [limits] llm_streams}).
   */
  public ModuleDefinition toDefinition(
      ExecutionMode mode, Path wasmFile, int defaultMaxSpans, int maxLlmStreams) {
    return toDefinition(
        mode,
        wasmFile,
        new LimitsConfig(
            defaultMaxSpans,
            LimitsConfig.defaults().transactions(),
            LimitsConfig.defaults().cursors(),
            maxLlmStreams,
            LimitsConfig.DEFAULT_OUTGOING_CALLS,
            LimitsConfig.DEFAULT_OUTGOING_CALLS_TOTAL));
  }

  /**
   * As {@link #toDefinition(ExecutionMode, Path)}, the per-request caps of its grants from {@code
   * limits} ({@code [limits]}).
   */
  public ModuleDefinition toDefinition(ExecutionMode mode, Path wasmFile, LimitsConfig limits) {
    return new ModuleDefinition(
        namespace,
        name,
        version,
        wasmFile,
        env,
        maxMemorySize,
        mode,
        requestTimeout,
        grants(limits));
  }

  private HostGrants grants(LimitsConfig limits) {
    Set<HostGrants.Capability> granted = EnumSet.noneOf(HostGrants.Capability.class);
    if (capabilities.db() != null) {
      granted.add(HostGrants.Capability.DB);
    }
    if (capabilities.blobstore() != null) {
      granted.add(HostGrants.Capability.BLOBSTORE);
    }
    if (capabilities.llm() != null) {
      granted.add(HostGrants.Capability.LLM);
    }
    if (capabilities.fs() != null) {
      granted.add(HostGrants.Capability.FS);
    }
    int maxSpans = limits.spans();
    if (capabilities.tracing() != null) {
      granted.add(HostGrants.Capability.TRACING);
      if (capabilities.tracing().maxSpans() != null) {
        maxSpans = capabilities.tracing().maxSpans();
      }
    }
    return new HostGrants(
        granted,
        maxSpans,
        capabilities.llm(),
        limits.llmStreams(),
        capabilities.blobstore(),
        limits.blobObjects());
  }
}
