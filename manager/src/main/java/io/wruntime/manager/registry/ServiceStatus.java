package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A service (namespace, module name): every version ever registered, with its instances.
 *
 * @param versions highest version first
 * @param rule its admin rule, or null
 */
public record ServiceStatus(ServiceKey service, List<VersionStatus> versions, Rule rule) {
  public ServiceStatus {
    requireNonNull(service, "service");
    versions = List.copyOf(versions);
  }

  /**
   * One version of the service.
   *
   * @param methods the RPC paths of its schema; empty without one
   * @param instances its routes, healthy or not
   */
  public record VersionStatus(
      String version, boolean hasSchema, List<String> methods, List<Route> instances) {
    public VersionStatus {
      requireNonNull(version, "version");
      methods = List.copyOf(methods);
      instances = List.copyOf(instances);
    }

    public int healthyInstances() {
      return (int) instances.stream().filter(Route::healthy).count();
    }
  }
}
