package io.wruntime.proxy.routing;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.names.SemVer;
import io.wruntime.common.names.VersionRequirement;
import io.wruntime.common.net.HostPort;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable snapshot of the manager's routing table as this proxy uses it: per {@code
 * (namespace, module)} the healthy instances, with the routing rules already applied (a rule's
 * static routes replace the registered ones; its default version applies to calls without {@code
 * x-wr-version}).
 */
public final class RoutingTable {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingTable.class);

  private final long version;
  private final Map<String, Service> services;
  private final Set<String> addresses;

  private RoutingTable(long version, Map<String, Service> services, Set<String> addresses) {
    this.version = version;
    this.services = services;
    this.addresses = addresses;
  }

  /**
   * A service: every version of one {@code (namespace, module)} the table knows.
   *
   * @param namespace logical namespace
   * @param module module name
   * @param instances healthy instances, all versions
   * @param defaultRequirement the routing rule's default version requirement, or null
   */
  public record Service(
      String namespace,
      String module,
      List<Instance> instances,
      VersionRequirement defaultRequirement) {
    public Service {
      requireNonNull(namespace, "namespace");
      requireNonNull(module, "module");
      instances = List.copyOf(instances);
    }

    /** The distinct versions of the healthy instances, highest first. */
    public List<SemVer> versions() {
      return instances.stream()
          .map(Instance::version)
          .distinct()
          .sorted((a, b) -> b.compareTo(a))
          .toList();
    }
  }

  /** The table a proxy holds before the manager sent one: version 0, nothing routed. */
  public static RoutingTable empty() {
    return new RoutingTable(0, Map.of(), Set.of());
  }

  /**
   * Builds the snapshot of {@code table} for the proxy of node {@code nodeName}. Routes the proxy
   * cannot use (unparseable addresses, remote ones without a peer address) are left out with a log
   * line.
   */
  public static RoutingTable from(io.wruntime.proto.v1.RoutingTable table, String nodeName) {
    requireNonNull(table, "table");
    requireNonNull(nodeName, "nodeName");
    Map<String, RoutingRule> rules = new HashMap<>();
    for (RoutingRule rule : table.getRulesList()) {
      rules.put(key(rule.getNamespace(), rule.getModule()), rule);
    }
    Map<String, List<Instance>> instances = new HashMap<>();
    Map<String, String[]> names = new HashMap<>();
    for (Route route : table.getRoutesList()) {
      String key = key(route.getModule().getNamespace(), route.getModule().getName());
      names.putIfAbsent(
          key, new String[] {route.getModule().getNamespace(), route.getModule().getName()});
      instances.computeIfAbsent(key, k -> new ArrayList<>());
      RoutingRule rule = rules.get(key);
      if (rule != null && rule.getRoutesCount() > 0) {
        continue; // the rule's static routes replace the registered ones
      }
      add(instances.get(key), route, nodeName);
    }
    for (RoutingRule rule : table.getRulesList()) {
      String key = key(rule.getNamespace(), rule.getModule());
      names.putIfAbsent(key, new String[] {rule.getNamespace(), rule.getModule()});
      List<Instance> list = instances.computeIfAbsent(key, k -> new ArrayList<>());
      for (Route route : rule.getRoutesList()) {
        add(list, route, nodeName);
      }
    }
    Map<String, Service> services = new HashMap<>();
    Set<String> addresses = new LinkedHashSet<>();
    for (Map.Entry<String, List<Instance>> e : instances.entrySet()) {
      String[] name = names.get(e.getKey());
      RoutingRule rule = rules.get(e.getKey());
      VersionRequirement requirement = null;
      if (rule != null && !rule.getDefaultVersion().isEmpty()) {
        try {
          requirement = VersionRequirement.parse(rule.getDefaultVersion());
        } catch (IllegalArgumentException ex) {
          LOG.warn(
              "routing rule of {}.{}: default_version {} is ignored",
              name[0],
              name[1],
              ex.getMessage());
        }
      }
      services.put(e.getKey(), new Service(name[0], name[1], e.getValue(), requirement));
      e.getValue().forEach(i -> addresses.add(i.address()));
    }
    return new RoutingTable(table.getVersion(), Map.copyOf(services), Set.copyOf(addresses));
  }

  private static void add(List<Instance> into, Route route, String nodeName) {
    if (!route.getHealthy()) {
      return;
    }
    String what =
        route.getModule().getNamespace()
            + "."
            + route.getModule().getName()
            + "@"
            + route.getModule().getVersion();
    SemVer version;
    try {
      version = SemVer.parse(route.getModule().getVersion());
    } catch (IllegalArgumentException e) {
      LOG.warn(
          "route of {} on engine {} is ignored: version {}",
          what,
          route.getEngineId(),
          e.getMessage());
      return;
    }
    boolean local =
        route.getLocal() || (!route.getNode().isEmpty() && route.getNode().equals(nodeName));
    String address = local ? route.getAddress() : route.getNodeAddress();
    HostPort target;
    try {
      target = HostPort.parse(address, true);
    } catch (IllegalArgumentException e) {
      LOG.warn(
          "route of {} on engine {} is ignored: {} address {}",
          what,
          route.getEngineId(),
          local ? "engine" : "peer proxy",
          e.getMessage());
      return;
    }
    if (target.port() == 0) {
      LOG.warn(
          "route of {} on engine {} is ignored: address {} has port 0",
          what,
          route.getEngineId(),
          target);
      return;
    }
    into.add(new Instance(version, route.getEngineId(), route.getNode(), local, target));
  }

  private static String key(String namespace, String module) {
    return namespace + "." + module;
  }

  /** The manager's version of this table; 0 before the first. */
  public long version() {
    return version;
  }

  /** Whether the table routes nothing: no service has a healthy instance. */
  public boolean isEmpty() {
    return services.isEmpty();
  }

  /** The service {@code namespace.module}, or null when the table does not route it. */
  public Service service(String namespace, String module) {
    return services.get(key(namespace, module));
  }

  /** Whether the table knows the service {@code namespace.module}, with or without instances. */
  public boolean knows(String namespaceDotModule) {
    return services.containsKey(namespaceDotModule);
  }

  /** Every address an instance of this table is reached at (see {@link Instance#address()}). */
  public Set<String> addresses() {
    return addresses;
  }
}
