package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/**
 * A route that the cluster declares rather than an engine's registration: one engine pod serving
 * one module version (cluster mode).
 *
 * @param module the module version served
 * @param engineId the engine's id (the pod name)
 * @param address where the pod's own proxy reaches the engine (used by that proxy only)
 * @param node the node the engine runs on (the pod name, which is its proxy's node name)
 * @param nodeAddress where other proxies reach the pod's proxy peer listener, {@code podIP:port}
 * @param healthy whether the route may receive traffic (the pod is ready and not terminating)
 * @param detail why the route is unhealthy; empty when healthy
 */
public record ClusterRoute(
    ModuleKey module,
    String engineId,
    String address,
    String node,
    String nodeAddress,
    boolean healthy,
    String detail)
    implements Comparable<ClusterRoute> {
  private static final Comparator<ClusterRoute> ORDER =
      Comparator.comparing(ClusterRoute::module).thenComparing(ClusterRoute::engineId);

  public ClusterRoute {
    requireNonNull(module, "module");
    requireNonNull(engineId, "engineId");
    requireNonNull(address, "address");
    requireNonNull(node, "node");
    requireNonNull(nodeAddress, "nodeAddress");
    requireNonNull(detail, "detail");
  }

  @Override
  public int compareTo(ClusterRoute other) {
    return ORDER.compare(this, other);
  }
}
