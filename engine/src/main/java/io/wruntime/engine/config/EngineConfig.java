package io.wruntime.engine.config;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.config.TomlTable;
import io.wruntime.common.net.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The engine's configuration ({@code engine.toml}), validated: every value here is usable as is.
 *
 * @param source where the configuration came from (a file name), for messages
 * @param listenAddress the HTTP listener for module traffic (from the local proxy)
 * @param managerAddress the manager's gRPC address, or null when there is none
 * @param allowNonLoopbackInternal whether {@code listenAddress} may be a non-loopback address
 * @param maxOutboundBodyBytes the largest request body a module may send
 * @param adminAddress a separate listener for {@code /healthz}, {@code /readyz} and {@code
 *     /metrics}, or null to serve them on {@code listenAddress}
 * @param node the local proxy, or null when the engine runs standalone
 * @param artifacts how modules from registries and URLs are fetched and cached
 * @param listener the connection caps of each HTTP listener
 * @param database the PostgreSQL of modules granted {@code wruntime:db} ({@code [database]})
 */
public record EngineConfig(
    String source,
    HostPort listenAddress,
    HostPort managerAddress,
    boolean allowNonLoopbackInternal,
    long maxOutboundBodyBytes,
    HostPort adminAddress,
    NodeConfig node,
    PoolConfig pool,
    LimitsConfig limits,
    List<ModuleConfig> modules,
    ArtifactsConfig artifacts,
    ListenerLimits listener,
    DatabaseConfig database) {
  public static final String DEFAULT_LISTEN_ADDRESS = "127.0.0.1:9100";
  public static final long DEFAULT_MAX_OUTBOUND_BODY_BYTES = 16L * 1024 * 1024;

  public EngineConfig {
    requireNonNull(source, "source");
    requireNonNull(listenAddress, "listenAddress");
    requireNonNull(pool, "pool");
    requireNonNull(limits, "limits");
    modules = List.copyOf(requireNonNull(modules, "modules"));
    requireNonNull(artifacts, "artifacts");
    requireNonNull(listener, "listener");
    requireNonNull(database, "database");
  }

  /** A configuration without a {@code [database]}. */
  public EngineConfig(
      String source,
      HostPort listenAddress,
      HostPort managerAddress,
      boolean allowNonLoopbackInternal,
      long maxOutboundBodyBytes,
      HostPort adminAddress,
      NodeConfig node,
      PoolConfig pool,
      LimitsConfig limits,
      List<ModuleConfig> modules,
      ArtifactsConfig artifacts,
      ListenerLimits listener) {
    this(
        source,
        listenAddress,
        managerAddress,
        allowNonLoopbackInternal,
        maxOutboundBodyBytes,
        adminAddress,
        node,
        pool,
        limits,
        modules,
        artifacts,
        listener,
        DatabaseConfig.defaults());
  }

  /** The same configuration with other modules. */
  public EngineConfig withModules(List<ModuleConfig> newModules) {
    return new EngineConfig(
        source,
        listenAddress,
        managerAddress,
        allowNonLoopbackInternal,
        maxOutboundBodyBytes,
        adminAddress,
        node,
        pool,
        limits,
        newModules,
        artifacts,
        listener,
        database);
  }

  /**
   * Reads and validates a configuration file.
   *
   * @throws ConfigException naming the file, the key, the value and what was expected
   */
  public static EngineConfig load(Path file) {
    requireNonNull(file, "file");
    return EngineConfigReader.read(TomlTable.load(file));
  }

  /**
   * Validates TOML text; {@code source} names it in messages. Relative paths resolve against the
   * working directory.
   *
   * @throws ConfigException naming the source, the key, the value and what was expected
   */
  public static EngineConfig parse(String source, String text) {
    return EngineConfigReader.read(TomlTable.parse(source, text));
  }

  /**
   * Validates TOML text whose {@code ${NAME}} values expand from {@code env} instead of the process
   * environment (a pod's configuration checked outside the pod).
   *
   * @throws ConfigException naming the source, the key, the value and what was expected
   */
  public static EngineConfig parse(String source, String text, Map<String, String> env) {
    return EngineConfigReader.read(TomlTable.parse(source, text, env));
  }

  /** The same configuration with another {@code [database]}. */
  public EngineConfig withDatabase(DatabaseConfig newDatabase) {
    return new EngineConfig(
        source,
        listenAddress,
        managerAddress,
        allowNonLoopbackInternal,
        maxOutboundBodyBytes,
        adminAddress,
        node,
        pool,
        limits,
        modules,
        artifacts,
        listener,
        newDatabase);
  }

  /**
   * Checks that every module granted {@code wruntime:db} has a database: its own {@code
   * [module.capabilities.db] url_file}, or the engine's {@code [database]}. The engine checks this
   * when it starts ({@code wr-cli dev up} supplies a {@code [database]} first).
   *
   * @throws ConfigException naming the module and both keys
   */
  public void requireDatabases() {
    for (int i = 0; i < modules.size(); i++) {
      ModuleConfig module = modules.get(i);
      ModuleCapabilities.Db db = module.capabilities().db();
      if (db != null && db.urlFile() == null && !database.hasServer()) {
        throw new ConfigException(
            source
                + ": module["
                + i
                + "] ("
                + module.label()
                + ") is granted [module.capabilities.db] but no database is configured"
                + " (expected: [module.capabilities.db] url_file, or [database] url or url_file)");
      }
    }
  }

  /**
   * Checks that every module granted a blob store has credentials for it.
   *
   * @throws ConfigException naming the first module without, and the keys that give them
   */
  public void requireBlobstores() {
    for (int i = 0; i < modules.size(); i++) {
      ModuleConfig module = modules.get(i);
      ModuleCapabilities.Blobstore blob = module.capabilities().blobstore();
      if (blob != null && !blob.hasCredentials()) {
        throw new ConfigException(
            source
                + ": module["
                + i
                + "] ("
                + module.label()
                + ") is granted [module.capabilities.blobstore] but no credentials are configured"
                + " (expected: [module.capabilities.blobstore] credentials_dir, a directory holding"
                + " the files "
                + ModuleCapabilities.Blobstore.ACCESS_KEY_ID_FILE
                + " and "
                + ModuleCapabilities.Blobstore.SECRET_ACCESS_KEY_FILE
                + ", or [blobstore] access_key_id and secret_access_key, or [blobstore]"
                + " credentials_dir)");
      }
    }
  }

  /** True when module traffic leaves through a local proxy; false when standalone. */
  public boolean hasProxy() {
    return node != null;
  }

  /**
   * The local proxy ({@code [node]}) and how the engine registers through it.
   *
   * @param proxyAddress where modules' outgoing calls go (the proxy's HTTP listener)
   * @param controlAddress the proxy's gRPC {@code NodeService}, where the engine registers and
   *     heartbeats
   * @param engineId the id to register with, or null to generate one ({@code host-port-random})
   * @param heartbeatInterval how often the engine probes its modules' health and heartbeats
   */
  public record NodeConfig(
      HostPort proxyAddress, HostPort controlAddress, String engineId, Duration heartbeatInterval) {
    public static final int DEFAULT_CONTROL_PORT = 9002;
    public static final int DEFAULT_HEARTBEAT_INTERVAL_SECS = 3;

    public NodeConfig {
      requireNonNull(proxyAddress, "proxyAddress");
      requireNonNull(controlAddress, "controlAddress");
      requireNonNull(heartbeatInterval, "heartbeatInterval");
      if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
        throw new IllegalArgumentException(
            "heartbeatInterval: " + heartbeatInterval + " (expected: positive)");
      }
    }

    /** The proxy at {@code proxyAddress}, its NodeService on the same host at port 9002. */
    public NodeConfig(HostPort proxyAddress) {
      this(
          proxyAddress,
          requireNonNull(proxyAddress, "proxyAddress").withPort(DEFAULT_CONTROL_PORT),
          null,
          Duration.ofSeconds(DEFAULT_HEARTBEAT_INTERVAL_SECS));
    }
  }
}
