package io.wruntime.manager.config;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.config.TomlTable;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.tls.TlsFiles;
import io.wruntime.common.tls.TlsMaterial;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The manager's configuration ({@code manager.toml}), validated: every value here is usable as is.
 *
 * @param source where the configuration came from (a file name, or "defaults"), for messages
 * @param listenAddress where ManagerService is served; bound exactly as written
 * @param engineHeartbeatTimeout an engine whose last heartbeat is older has all routes unhealthy
 * @param moduleHeartbeatTimeout a module whose last health report is older has its route unhealthy
 * @param healthCheckInterval how often the health monitor looks for stale heartbeats
 * @param adminAddress where {@code /healthz}, {@code /readyz} and {@code /metrics} are served, or
 *     null for none
 * @param localProxyAddress the original's {@code local_proxy_address} (where the manager would send
 *     scheduled calls), accepted for compatibility and unused until schedules exist; null when
 *     unset
 * @param kubernetes cluster mode ({@code [kubernetes]}): routes from WasmModules and engine pods
 * @param engineExpiry an engine without a heartbeat for this long (deregistered or not) is
 *     forgotten with its routes
 * @param startupResync how long after start the routing table is marked incomplete, so that proxies
 *     keep their last table while engines re-register
 * @param tls the manager's certificate, key and the CA of its callers ({@code [tls]}): the gRPC
 *     server then speaks only TLS and identifies every caller by its client certificate; null for
 *     plaintext, where every caller is {@code LOCAL} (all permissions)
 * @param sharedNodeIdentities names of node certificates that many proxies share (the Helm chart's
 *     one node certificate for every operator-managed pod, {@code shared_node_identities}): their
 *     holders may register, heartbeat and deregister engines of any node, since the certificate
 *     cannot tell the nodes apart; empty when every node has its own certificate
 * @param allowPlaintext whether a plaintext listener may be bound to a non-loopback address ({@code
 *     allow_plaintext}); without it such a configuration is refused
 * @param listener the connection caps of the gRPC listener
 */
public record ManagerConfig(
    String source,
    HostPort listenAddress,
    Duration engineHeartbeatTimeout,
    Duration moduleHeartbeatTimeout,
    Duration healthCheckInterval,
    HostPort adminAddress,
    HostPort localProxyAddress,
    KubernetesConfig kubernetes,
    Duration engineExpiry,
    Duration startupResync,
    TlsFiles tls,
    boolean allowPlaintext,
    Set<String> sharedNodeIdentities,
    ListenerLimits listener) {
  /**
   * Loopback: without TLS every caller has every permission, so only the local host may call unless
   * {@code [tls]} or {@code allow_plaintext} says otherwise. (The original listened on {@code
   * 0.0.0.0:9000}.)
   */
  public static final String DEFAULT_LISTEN_ADDRESS = "127.0.0.1:9000";

  public static final long DEFAULT_ENGINE_HEARTBEAT_TIMEOUT_SECS = 10;
  public static final long DEFAULT_HEALTH_CHECK_INTERVAL_SECS = 5;

  /** The default engine expiry, as a multiple of the engine heartbeat timeout. */
  public static final long DEFAULT_ENGINE_EXPIRY_FACTOR = 10;

  /** Longest accepted timeout or interval: one day. */
  private static final long MAX_SECS = 86_400;

  private static final Set<String> KEYS =
      Set.of(
          "listen_address",
          "engine_heartbeat_timeout_secs",
          "module_heartbeat_timeout_secs",
          "health_check_interval_secs",
          "admin_address",
          "local_proxy_address",
          "kubernetes",
          "engine_expiry_secs",
          "startup_resync_secs",
          "tls",
          "allow_plaintext",
          "shared_node_identities",
          "max_connections",
          "max_concurrent_calls_per_connection",
          "idle_timeout_secs");

  /** Keys of the original's manager.toml that need a store this manager does not have yet. */
  private static final Set<String> NOT_YET_SUPPORTED =
      Set.of(
          "database",
          "cluster",
          "scheduler_lease_secs",
          "scheduler_retry_base_secs",
          "scheduler_retry_cap_secs");

  public ManagerConfig {
    requireNonNull(source, "source");
    requireNonNull(listenAddress, "listenAddress");
    requireNonNull(engineHeartbeatTimeout, "engineHeartbeatTimeout");
    requireNonNull(moduleHeartbeatTimeout, "moduleHeartbeatTimeout");
    requireNonNull(healthCheckInterval, "healthCheckInterval");
    requireNonNull(kubernetes, "kubernetes");
    sharedNodeIdentities = Set.copyOf(sharedNodeIdentities);
    requireNonNull(engineExpiry, "engineExpiry");
    requireNonNull(startupResync, "startupResync");
    requireNonNull(listener, "listener");
  }

  /**
   * Every key at its default: listen on {@value #DEFAULT_LISTEN_ADDRESS} in plaintext, no admin
   * listener.
   */
  public static ManagerConfig defaults() {
    return read(TomlTable.parse("defaults", ""));
  }

  /**
   * Reads and validates a configuration file.
   *
   * @throws ConfigException naming the file, the key, the value and what was expected
   */
  public static ManagerConfig load(Path file) {
    requireNonNull(file, "file");
    return read(TomlTable.load(file));
  }

  /**
   * Validates TOML text; {@code source} names it in messages.
   *
   * @throws ConfigException naming the source, the key, the value and what was expected
   */
  public static ManagerConfig parse(String source, String text) {
    return read(TomlTable.parse(source, text));
  }

  private static ManagerConfig read(TomlTable root) {
    for (String key : NOT_YET_SUPPORTED) {
      if (root.has(key)) {
        throw root.error(
            key,
            "is not supported by this manager yet (expected: no "
                + key
                + "; the registry is kept in memory)");
      }
    }
    root.rejectUnknownKeys(KEYS);
    HostPort listen = address(root, "listen_address", DEFAULT_LISTEN_ADDRESS);
    long engineTimeout =
        root.integer(
            "engine_heartbeat_timeout_secs", DEFAULT_ENGINE_HEARTBEAT_TIMEOUT_SECS, 1, MAX_SECS);
    long moduleTimeout = root.integer("module_heartbeat_timeout_secs", engineTimeout, 1, MAX_SECS);
    long interval =
        root.integer("health_check_interval_secs", DEFAULT_HEALTH_CHECK_INTERVAL_SECS, 1, MAX_SECS);
    long expiry =
        root.integer(
            "engine_expiry_secs",
            DEFAULT_ENGINE_EXPIRY_FACTOR * engineTimeout,
            engineTimeout + 1,
            DEFAULT_ENGINE_EXPIRY_FACTOR * MAX_SECS);
    long resync = root.integer("startup_resync_secs", engineTimeout, 0, MAX_SECS);
    HostPort admin = root.has("admin_address") ? address(root, "admin_address", null) : null;
    KubernetesConfig kubernetes =
        root.table("kubernetes").map(KubernetesConfig::read).orElse(KubernetesConfig.disabled());
    TlsFiles tls = root.table("tls").map(t -> TlsMaterial.checked(t, Role.MANAGER)).orElse(null);
    boolean allowPlaintext = root.bool("allow_plaintext", false);
    if (tls == null && !allowPlaintext && !isLoopback(listen)) {
      throw root.error(
          "listen_address",
          "= \""
              + listen
              + "\" is not a loopback address, and without [tls] every caller of ManagerService would"
              + " be an unauthenticated administrator (expected: a loopback address such as"
              + " 127.0.0.1:9000, a [tls] table with cert_path, key_path and ca_cert_path, or"
              + " allow_plaintext = true to accept the risk)");
    }
    return new ManagerConfig(
        root.source(),
        listen,
        Duration.ofSeconds(engineTimeout),
        Duration.ofSeconds(moduleTimeout),
        Duration.ofSeconds(interval),
        admin,
        root.has("local_proxy_address")
            ? root.address("local_proxy_address", null, true, "127.0.0.1:9001")
            : null,
        kubernetes,
        Duration.ofSeconds(expiry),
        Duration.ofSeconds(resync),
        tls,
        allowPlaintext,
        sharedNodeIdentities(root),
        new ListenerLimits(
            (int)
                root.integer(
                    "max_connections", ListenerLimits.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
            (int)
                root.integer(
                    "max_concurrent_calls_per_connection",
                    ListenerLimits.DEFAULT_MAX_CONCURRENT_CALLS_PER_CONNECTION,
                    1,
                    100_000),
            Duration.ofSeconds(
                root.integer(
                    "idle_timeout_secs", ListenerLimits.DEFAULT_IDLE_TIMEOUT_SECS, 1, MAX_SECS))));
  }

  private static Set<String> sharedNodeIdentities(TomlTable root) {
    Set<String> names = new java.util.TreeSet<>();
    for (String name : root.strings("shared_node_identities")) {
      try {
        new CallerIdentity(Role.NODE, name);
      } catch (IllegalArgumentException e) {
        throw root.error("shared_node_identities", "has " + e.getMessage());
      }
      names.add(name);
    }
    return names;
  }

  /**
   * Whether the host is a loopback address: a literal, or a name that resolves only to loopback.
   */
  static boolean isLoopback(HostPort address) {
    try {
      InetAddress[] resolved = InetAddress.getAllByName(address.host());
      for (InetAddress inet : resolved) {
        if (!inet.isLoopbackAddress()) {
          return false;
        }
      }
      return resolved.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** What the operator should know about keys that are accepted but have no effect yet. */
  public List<String> warnings() {
    if (localProxyAddress == null) {
      return List.of();
    }
    return List.of(
        source
            + ": local_proxy_address = \""
            + localProxyAddress
            + "\" is accepted but unused: this manager runs no schedules yet");
  }

  private static HostPort address(TomlTable table, String key, String defaultValue) {
    return table.address(key, defaultValue, false, "127.0.0.1:9000");
  }
}
