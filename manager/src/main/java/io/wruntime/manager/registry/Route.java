package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/**
 * Where a module version can be reached: one per (module version, engine), or a static route of a
 * rule.
 *
 * @param module the module version served
 * @param engineId the engine serving it; empty for a rule's static route
 * @param address the engine's address, for the proxy of its node
 * @param node the node the engine runs on
 * @param nodeAddress where other proxies reach that node's proxy
 * @param healthy whether the route may receive traffic
 */
public record Route(
    ModuleKey module,
    String engineId,
    String address,
    String node,
    String nodeAddress,
    boolean healthy)
    implements Comparable<Route> {
  private static final Comparator<Route> ORDER =
      Comparator.comparing(Route::module).thenComparing(Route::engineId);

  public Route {
    requireNonNull(module, "module");
    requireNonNull(engineId, "engineId");
    requireNonNull(address, "address");
    requireNonNull(node, "node");
    requireNonNull(nodeAddress, "nodeAddress");
  }

  @Override
  public int compareTo(Route other) {
    return ORDER.compare(this, other);
  }
}
