package io.wruntime.operator.config;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.config.TomlTable;
import io.wruntime.common.net.HostPort;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The operator's configuration ({@code operator.toml}), validated: every value here is usable as
 * is.
 *
 * @param source where the configuration came from (a file name, or "defaults"), for messages
 * @param adminAddress where {@code /healthz}, {@code /readyz} and {@code /metrics} are served
 * @param watchNamespaces the Kubernetes namespaces whose WasmModules are reconciled; empty for all
 * @param managerAddress the manager every engine pod's proxy connects to, {@code host:port}
 * @param leaderElection whether and how the operator elects a leader among its replicas
 * @param pods what the operator puts into every engine pod it creates
 */
public record OperatorConfig(
    String source,
    HostPort adminAddress,
    List<String> watchNamespaces,
    HostPort managerAddress,
    LeaderElection leaderElection,
    PodDefaults pods) {
  public static final String DEFAULT_ADMIN_ADDRESS = "0.0.0.0:8080";
  public static final String DEFAULT_LEASE_NAME = "wruntime-operator";

  private static final Set<String> KEYS =
      Set.of(
          "admin_address",
          "watch_namespaces",
          "manager_address",
          "leader_election",
          "engine",
          "proxy");
  private static final Set<String> LEADER_KEYS = Set.of("enabled", "lease_name", "lease_namespace");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  public OperatorConfig {
    requireNonNull(source, "source");
    requireNonNull(adminAddress, "adminAddress");
    watchNamespaces = List.copyOf(watchNamespaces);
    requireNonNull(managerAddress, "managerAddress");
    requireNonNull(leaderElection, "leaderElection");
    requireNonNull(pods, "pods");
  }

  /**
   * Leader election among operator replicas: only the leader reconciles.
   *
   * @param enabled whether to elect (off: every replica reconciles, so run one)
   * @param leaseName the coordination.k8s.io Lease the replicas compete for
   * @param leaseNamespace its namespace; null for the operator's own ({@code POD_NAMESPACE}, else
   *     the client's namespace)
   */
  public record LeaderElection(boolean enabled, String leaseName, String leaseNamespace) {
    public LeaderElection {
      requireNonNull(leaseName, "leaseName");
    }
  }

  /** Reads and validates {@code file}. */
  public static OperatorConfig load(Path file) {
    return from(TomlTable.load(file));
  }

  /** Parses and validates TOML text; {@code source} names it in messages. */
  public static OperatorConfig parse(String source, String text) {
    return from(TomlTable.parse(source, text));
  }

  private static OperatorConfig from(TomlTable toml) {
    toml.rejectUnknownKeys(KEYS);
    HostPort admin = toml.address("admin_address", DEFAULT_ADMIN_ADDRESS, false, "0.0.0.0:8080");
    List<String> namespaces = toml.strings("watch_namespaces");
    for (String namespace : namespaces) {
      if (!DNS_LABEL.matcher(namespace).matches()) {
        throw toml.error(
            "watch_namespaces",
            "contains \""
                + namespace
                + "\" (expected: Kubernetes namespace names, lowercase letters, digits and '-')");
      }
    }
    HostPort manager =
        toml.address("manager_address", null, true, "wruntime-manager.wruntime-system.svc:9000");
    LeaderElection leader = new LeaderElection(true, DEFAULT_LEASE_NAME, null);
    TomlTable election = toml.table("leader_election").orElse(null);
    if (election != null) {
      election.rejectUnknownKeys(LEADER_KEYS);
      String lease = election.string("lease_name", DEFAULT_LEASE_NAME);
      if (!DNS_SUBDOMAIN.matcher(lease).matches() || lease.length() > 253) {
        throw election.error(
            "lease_name", "= \"" + lease + "\" (expected: a Kubernetes object name)");
      }
      String leaseNamespace = election.string("lease_namespace").orElse(null);
      if (leaseNamespace != null && !DNS_LABEL.matcher(leaseNamespace).matches()) {
        throw election.error(
            "lease_namespace",
            "= \"" + leaseNamespace + "\" (expected: a Kubernetes namespace name)");
      }
      leader = new LeaderElection(election.bool("enabled", true), lease, leaseNamespace);
    }
    PodDefaults pods = PodDefaults.from(toml);
    return new OperatorConfig(toml.source(), admin, namespaces, manager, leader, pods);
  }
}
