package io.wruntime.proxy.routing;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.http.WrHeaders;
import io.wruntime.common.names.SemVer;
import io.wruntime.common.names.VersionRequirement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Resolves a call's destination against the current routing table: a routed {@code
 * namespace.module} goes to a healthy instance (of the highest version that meets the {@code
 * x-wr-version} requirement, or the routing rule's default requirement; of any healthy version
 * without one), an allowlisted external host goes out through egress, anything else is refused.
 */
public final class Router {
  private final Supplier<RoutingTable> table;
  private final EgressPolicy egress;

  public Router(Supplier<RoutingTable> table, EgressPolicy egress) {
    this.table = requireNonNull(table, "table");
    this.egress = requireNonNull(egress, "egress");
  }

  /**
   * Resolves one call.
   *
   * @param destination the parsed {@code x-wr-destination}
   * @param versionHeader the {@code x-wr-version} requirement, or null
   * @param localOnly only instances on this node qualify, and there is no egress (the peer
   *     listener: no second hop)
   */
  public Resolution resolve(Destination destination, String versionHeader, boolean localOnly) {
    requireNonNull(destination, "destination");
    VersionRequirement requirement = null;
    if (versionHeader != null) {
      try {
        requirement = VersionRequirement.parse(versionHeader);
      } catch (IllegalArgumentException e) {
        return new Resolution.Rejected(
            400, "invalid_version", WrHeaders.VERSION + ": " + e.getMessage());
      }
    }
    RoutingTable.Service service =
        destination.isModuleName()
            ? table.get().service(destination.namespace(), destination.module())
            : null;
    if (service == null) {
      return external(destination, localOnly);
    }
    String name = service.namespace() + "." + service.module();
    List<Instance> instances = service.instances();
    if (localOnly) {
      instances = instances.stream().filter(Instance::local).toList();
    }
    if (instances.isEmpty()) {
      return new Resolution.Rejected(
          503,
          "no_healthy_instance",
          name
              + " has no healthy instance"
              + (localOnly ? " on this node" : "")
              + " (expected: a registered engine whose module reports healthy)");
    }
    if (requirement == null) {
      requirement = service.defaultRequirement();
    }
    if (requirement == null) {
      return new Resolution.Internal(service.namespace(), service.module(), instances);
    }
    List<SemVer> versions =
        instances.stream()
            .map(Instance::version)
            .distinct()
            .sorted((a, b) -> b.compareTo(a))
            .toList();
    Optional<SemVer> chosen = requirement.highestMatch(versions);
    if (chosen.isEmpty()) {
      List<String> available = versions.stream().map(SemVer::toString).toList();
      return new Resolution.Rejected(
          503,
          "no_matching_version",
          name
              + " has no healthy version matching "
              + requirement
              + " (available: "
              + String.join(", ", available)
              + ")",
          Map.of("requirement", requirement.toString(), "available", available));
    }
    SemVer version = chosen.get();
    return new Resolution.Internal(
        service.namespace(),
        service.module(),
        instances.stream().filter(i -> i.version().equals(version)).toList());
  }

  private Resolution external(Destination destination, boolean localOnly) {
    String host = destination.host();
    if (!localOnly && egress.allows(host, destination.effectivePort())) {
      if (!egress.enabled()) {
        return new Resolution.Rejected(
            503,
            "egress_disabled",
            host
                + " is an allowed egress host, but egress is disabled (expected: [egress] enabled"
                + " = true)");
      }
      if (destination.scheme().equals("https")) {
        return new Resolution.Rejected(
            501,
            "egress_https_unsupported",
            destination.uri()
                + ": egress over https is not supported yet (expected: an http:// destination)");
      }
      return new Resolution.Egress(destination);
    }
    return new Resolution.Rejected(
        503,
        "unknown_destination",
        localOnly
            ? "no route to "
                + host
                + " on this node (expected: a module with a healthy instance"
                + " here)"
            : "no route to "
                + destination.authority()
                + " (expected: a namespace.module registered with the manager, or a host in"
                + " [egress] allowed_domains: on ports 80 and 443, or on the port the entry"
                + " names)");
  }
}
