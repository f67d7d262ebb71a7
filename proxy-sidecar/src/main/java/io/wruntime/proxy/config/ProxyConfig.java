package io.wruntime.proxy.config;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.config.TomlTable;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.tls.TlsFiles;
import io.wruntime.common.tls.TlsMaterial;
import io.wruntime.proxy.routing.EgressPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The proxy's configuration ({@code proxy.toml}), validated: every value here is usable as is.
 *
 * @param source where the configuration came from (a file name), for messages
 * @param listenAddress where local engines send module traffic (HTTP, loopback)
 * @param controlAddress where NodeService is served for local engines (gRPC, loopback)
 * @param managerAddress the manager's ManagerService
 * @param adminAddress where {@code /healthz}, {@code /readyz} and {@code /metrics} are served, or
 *     null for none
 * @param allowNonLoopbackInternal whether the listen and control addresses may be non-loopback
 * @param node this node's identity and peer listener
 * @param routingTableTtl accepted for compatibility with the original's polling cache; the table is
 *     pushed, so it has no effect
 * @param circuitBreaker when an instance's circuit opens and for how long
 * @param egress calls to hosts outside the mesh
 * @param validation protobuf request validation against the destination's schema
 * @param timeouts connect, idle and response timeouts towards upstreams
 * @param limits connection caps of the listeners and concurrent-request caps per caller
 */
public record ProxyConfig(
    String source,
    HostPort listenAddress,
    HostPort controlAddress,
    HostPort managerAddress,
    HostPort adminAddress,
    boolean allowNonLoopbackInternal,
    Node node,
    Duration routingTableTtl,
    CircuitBreaker circuitBreaker,
    Egress egress,
    Validation validation,
    Timeouts timeouts,
    Limits limits) {
  public static final String DEFAULT_LISTEN_ADDRESS = "127.0.0.1:9001";
  public static final String DEFAULT_CONTROL_ADDRESS = "127.0.0.1:9002";
  public static final int DEFAULT_PEER_PORT = 9443;
  public static final long DEFAULT_MAX_BODY_BYTES = 4L * 1024 * 1024;

  private static final long MAX_SECS = 86_400;
  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,253}");
  private static final Set<String> KEYS =
      Set.of(
          "listen_address",
          "control_address",
          "manager_address",
          "admin_address",
          "allow_non_loopback_internal",
          "node",
          "cache",
          "circuit_breaker",
          "egress",
          "validation",
          "timeouts",
          "limits");

  public ProxyConfig {
    requireNonNull(source, "source");
    requireNonNull(listenAddress, "listenAddress");
    requireNonNull(controlAddress, "controlAddress");
    requireNonNull(managerAddress, "managerAddress");
    requireNonNull(node, "node");
    requireNonNull(routingTableTtl, "routingTableTtl");
    requireNonNull(circuitBreaker, "circuitBreaker");
    requireNonNull(egress, "egress");
    requireNonNull(validation, "validation");
    requireNonNull(timeouts, "timeouts");
    requireNonNull(limits, "limits");
  }

  /**
   * This node as other nodes see it.
   *
   * @param name the node's name; routes whose node is this name are local
   * @param proxyAddress the peer address other proxies reach this one at, or null for {@code
   *     127.0.0.1:<bound peer port>}
   * @param peerPort the peer port used by the defaults
   * @param peerListenAddress where the peer listener binds
   * @param tls the node's certificate, key and CA ({@code [node.tls]}): mTLS on the peer listener,
   *     to other proxies and to the manager; null for plaintext
   */
  public record Node(
      String name, HostPort proxyAddress, int peerPort, HostPort peerListenAddress, TlsFiles tls) {
    public Node {
      requireNonNull(name, "name");
      requireNonNull(peerListenAddress, "peerListenAddress");
    }
  }

  /**
   * @param failureThreshold consecutive failures (connect and network errors, timeouts, 503, 429)
   *     that open a circuit
   * @param openDuration how long an open circuit refuses traffic before one probe
   * @param countServerErrors whether every other 5xx answer counts as a failure too
   */
  public record CircuitBreaker(
      int failureThreshold, Duration openDuration, boolean countServerErrors) {
    public CircuitBreaker {
      requireNonNull(openDuration, "openDuration");
    }
  }

  /**
   * @param enabled whether calls to allowlisted external hosts are forwarded
   * @param allowedDomains entries as {@link EgressPolicy.Rule#parse} takes them, lowercase
   * @param allowIpLiterals whether entries may be IP addresses
   */
  public record Egress(boolean enabled, List<String> allowedDomains, boolean allowIpLiterals) {
    public Egress {
      allowedDomains = List.copyOf(allowedDomains);
    }
  }

  /** Whether protobuf requests are checked against the destination's schema. */
  public enum ValidationMode {
    ENFORCE,
    OFF
  }

  /**
   * @param mode enforce or off
   * @param maxBodyBytes largest body validated (and buffered to do so); larger ones get 413
   */
  public record Validation(ValidationMode mode, long maxBodyBytes) {
    public Validation {
      requireNonNull(mode, "mode");
    }
  }

  /**
   * @param connect connecting to an upstream
   * @param idle an exchange or a connection without traffic; pooled connections close after it
   * @param request from the end of the request to the upstream's response headers
   */
  public record Timeouts(Duration connect, Duration idle, Duration request) {
    public Timeouts {
      requireNonNull(connect, "connect");
      requireNonNull(idle, "idle");
      requireNonNull(request, "request");
    }
  }

  /**
   * What one caller or one flood of connections may take of the proxy ({@code [limits]}). A
   * connection beyond a listener's cap is closed as soon as it is accepted; a request beyond its
   * caller's cap is answered 429 with {@code Retry-After}.
   *
   * @param maxInternalConnections open connections on {@code listen_address}
   * @param maxPeerConnections open connections on {@code peer_listen_address}
   * @param maxControlConnections open connections on {@code control_address} (NodeService)
   * @param maxRequestsPerPeer requests in flight from one calling node on the peer listener: the
   *     node of its certificate with TLS, else its IP address
   * @param maxRequestsPerModule requests in flight from one local calling module ({@code
   *     x-wr-source}, which the engine sets) on {@code listen_address}
   */
  public record Limits(
      int maxInternalConnections,
      int maxPeerConnections,
      int maxControlConnections,
      int maxRequestsPerPeer,
      int maxRequestsPerModule) {
    public static final Limits DEFAULTS = new Limits(1024, 4096, 256, 1024, 256);
  }

  /**
   * Reads and validates a configuration file.
   *
   * @throws ConfigException naming the file, the key, the value and what was expected
   */
  public static ProxyConfig load(Path file) {
    requireNonNull(file, "file");
    return read(TomlTable.load(file));
  }

  /**
   * Validates TOML text; {@code source} names it in messages.
   *
   * @throws ConfigException naming the source, the key, the value and what was expected
   */
  public static ProxyConfig parse(String source, String text) {
    return read(TomlTable.parse(source, text));
  }

  private static ProxyConfig read(TomlTable root) {
    if (root.has("external")) {
      throw root.error(
          "external",
          "is not supported by this proxy yet (expected: no [external] table; the ingress listener"
              + " is planned)");
    }
    root.rejectUnknownKeys(KEYS);
    boolean allowNonLoopback = root.bool("allow_non_loopback_internal", false);
    HostPort listen = address(root, "listen_address", DEFAULT_LISTEN_ADDRESS, false);
    HostPort control = address(root, "control_address", DEFAULT_CONTROL_ADDRESS, false);
    if (!allowNonLoopback) {
      requireLoopback(root, "listen_address", listen);
      requireLoopback(root, "control_address", control);
    }
    if (!root.has("manager_address")) {
      throw root.error(
          "manager_address",
          "is missing (expected: the manager's address, e.g. http://127.0.0.1:9000)");
    }
    HostPort manager = address(root, "manager_address", null, true);
    HostPort admin = root.has("admin_address") ? address(root, "admin_address", null, false) : null;
    Node node = node(root.table("node").orElse(TomlTable.parse(root.source(), "")));

    TomlTable cache = section(root, "cache", Set.of("routing_table_ttl_secs"));
    long ttl = cache.integer("routing_table_ttl_secs", 2, 0, MAX_SECS);

    TomlTable breaker =
        section(
            root,
            "circuit_breaker",
            Set.of("count_server_errors", "failure_threshold", "open_duration_secs"));
    long threshold = breaker.integer("failure_threshold", 5, 1, 1_000_000);
    long open = breaker.integer("open_duration_secs", 30, 1, MAX_SECS);
    boolean countServerErrors = breaker.bool("count_server_errors", false);

    TomlTable egressTable =
        section(root, "egress", Set.of("allow_ip_literals", "allowed_domains", "enabled"));
    boolean egressEnabled = egressTable.bool("enabled", false);
    boolean allowIpLiterals = egressTable.bool("allow_ip_literals", false);
    List<String> domains = new ArrayList<>();
    for (String domain : egressTable.strings("allowed_domains")) {
      try {
        EgressPolicy.Rule.parse(domain, allowIpLiterals);
      } catch (IllegalArgumentException e) {
        throw egressTable.error("allowed_domains", "contains \"" + domain + "\" " + e.getMessage());
      }
      domains.add(domain.trim().toLowerCase(Locale.ROOT));
    }

    TomlTable validationTable = section(root, "validation", Set.of("mode", "max_body_bytes"));
    String modeText = validationTable.string("mode", "enforce");
    ValidationMode mode =
        switch (modeText) {
          case "enforce" -> ValidationMode.ENFORCE;
          case "off" -> ValidationMode.OFF;
          default ->
              throw validationTable.error(
                  "mode", "= \"" + modeText + "\" (expected: \"enforce\" or \"off\")");
        };
    long maxBody = validationTable.integer("max_body_bytes", DEFAULT_MAX_BODY_BYTES, 1, 1L << 30);

    TomlTable timeouts =
        section(root, "timeouts", Set.of("connect_ms", "idle_secs", "request_secs"));
    long connectMs = timeouts.integer("connect_ms", 2000, 1, MAX_SECS * 1000);
    long idleSecs = timeouts.integer("idle_secs", 60, 1, MAX_SECS);
    long requestSecs = timeouts.integer("request_secs", 30, 1, MAX_SECS);

    TomlTable limitsTable =
        section(
            root,
            "limits",
            Set.of(
                "max_internal_connections",
                "max_peer_connections",
                "max_control_connections",
                "max_requests_per_peer",
                "max_requests_per_module"));
    Limits d = Limits.DEFAULTS;
    Limits limits =
        new Limits(
            (int)
                limitsTable.integer(
                    "max_internal_connections", d.maxInternalConnections(), 1, 1_000_000),
            (int) limitsTable.integer("max_peer_connections", d.maxPeerConnections(), 1, 1_000_000),
            (int)
                limitsTable.integer(
                    "max_control_connections", d.maxControlConnections(), 1, 1_000_000),
            (int)
                limitsTable.integer("max_requests_per_peer", d.maxRequestsPerPeer(), 1, 1_000_000),
            (int)
                limitsTable.integer(
                    "max_requests_per_module", d.maxRequestsPerModule(), 1, 1_000_000));

    return new ProxyConfig(
        root.source(),
        listen,
        control,
        manager,
        admin,
        allowNonLoopback,
        node,
        Duration.ofSeconds(ttl),
        new CircuitBreaker((int) threshold, Duration.ofSeconds(open), countServerErrors),
        new Egress(egressEnabled, domains, allowIpLiterals),
        new Validation(mode, maxBody),
        new Timeouts(
            Duration.ofMillis(connectMs),
            Duration.ofSeconds(idleSecs),
            Duration.ofSeconds(requestSecs)),
        limits);
  }

  private static Node node(TomlTable table) {
    table.rejectUnknownKeys(
        Set.of("name", "proxy_address", "peer_port", "peer_listen_address", "tls"));
    TlsFiles tls = table.table("tls").map(t -> TlsMaterial.checked(t, Role.NODE)).orElse(null);
    String name = table.string("name").orElseGet(ProxyConfig::hostname);
    if (!NODE_NAME.matcher(name).matches()) {
      throw table.error(
          "name",
          "= \"" + name + "\" (expected: 1-253 characters of letters, digits, '.', '_' and '-')");
    }
    int peerPort = (int) table.integer("peer_port", DEFAULT_PEER_PORT, 0, 65535);
    HostPort peerListen = address(table, "peer_listen_address", "127.0.0.1:" + peerPort, false);
    HostPort proxyAddress =
        table.has("proxy_address")
            ? table.address("proxy_address", null, true, "10.0.3.7:9443")
            : null;
    if (proxyAddress != null && proxyAddress.port() == 0) {
      throw table.error(
          "proxy_address",
          "= \"" + proxyAddress + "\" has port 0 (expected: the port other nodes connect to)");
    }
    return new Node(name, proxyAddress, peerPort, peerListen, tls);
  }

  private static String hostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && NODE_NAME.matcher(env).matches()) {
      return env;
    }
    try {
      String name = InetAddress.getLocalHost().getHostName();
      if (NODE_NAME.matcher(name).matches()) {
        return name;
      }
    } catch (UnknownHostException e) {
      // fall through: a node without a resolvable name is still a node
    }
    return "localhost";
  }

  private static TomlTable section(TomlTable root, String key, Set<String> keys) {
    TomlTable table = root.table(key).orElse(null);
    if (table == null) {
      return TomlTable.parse(root.source(), "");
    }
    table.rejectUnknownKeys(keys);
    return table;
  }

  private static void requireLoopback(TomlTable table, String key, HostPort address) {
    if (!address.isLoopback()) {
      throw table.error(
          key,
          "= \""
              + address
              + "\" is not a loopback address (expected: 127.0.0.1, ::1 or localhost, or"
              + " allow_non_loopback_internal = true)");
    }
  }

  private static HostPort address(
      TomlTable table, String key, String defaultValue, boolean allowHttpUrl) {
    return table.address(
        key, defaultValue, allowHttpUrl, allowHttpUrl ? "127.0.0.1:9100" : "127.0.0.1:9001");
  }
}
