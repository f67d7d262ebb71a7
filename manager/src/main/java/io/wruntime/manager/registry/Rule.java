package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * An admin override of how one service is routed.
 *
 * @param service the (namespace, module) it applies to
 * @param defaultVersion the version requirement for calls without one; empty for none
 * @param routes static routes replacing the registered ones; empty: the registered ones apply
 * @param updatedAt when it was last written; null before the registry stored it
 */
public record Rule(
    ServiceKey service, String defaultVersion, List<Route> routes, Instant updatedAt) {
  public Rule {
    requireNonNull(service, "service");
    requireNonNull(defaultVersion, "defaultVersion");
    routes = List.copyOf(routes);
  }
}
