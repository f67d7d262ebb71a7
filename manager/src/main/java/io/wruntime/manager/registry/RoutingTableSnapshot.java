package io.wruntime.manager.registry;

import java.util.List;

/**
 * One version of the routing table: everything proxies need to route.
 *
 * @param version only increases over the registry's life
 * @param routes every route, healthy or not, ordered by module and engine
 * @param rules every admin rule, ordered by service
 * @param incomplete whether the registry may not know every engine yet (startup resync window)
 */
public record RoutingTableSnapshot(
    long version, List<Route> routes, List<Rule> rules, boolean incomplete) {
  public RoutingTableSnapshot {
    routes = List.copyOf(routes);
    rules = List.copyOf(rules);
  }
}
