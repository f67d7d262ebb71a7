package io.wruntime.manager.registry;

/** Where the routes of a {@link Registry}'s table come from. */
public enum RouteSource {
  /** Engines that register and heartbeat through their proxies. */
  REGISTRATIONS,
  /**
   * The cluster (WasmModules and engine pods), given by {@link Registry#syncCluster}. Engines may
   * still register and heartbeat; they are listed but add no route.
   */
  CLUSTER
}
