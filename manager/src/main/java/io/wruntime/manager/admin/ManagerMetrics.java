package io.wruntime.manager.admin;

import static java.util.Objects.requireNonNull;

import io.wruntime.manager.registry.RegistryStats;

/** Renders the registry's gauges in the Prometheus text exposition format (0.0.4). */
public final class ManagerMetrics {
  private ManagerMetrics() {}

  /**
   * The gauges of {@code stats} and the number of open WatchRoutingTable streams.
   *
   * @param watchers open WatchRoutingTable streams
   */
  public static String render(RegistryStats stats, int watchers) {
    requireNonNull(stats, "stats");
    StringBuilder out = new StringBuilder(1024);
    gauge(
        out,
        "wr_manager_routing_table_version",
        "Current routing-table version.",
        stats.routingTableVersion());
    out.append("# HELP wr_manager_engines Registered engines by state.\n")
        .append("# TYPE wr_manager_engines gauge\n");
    int unhealthy = stats.engines() - stats.healthyEngines() - stats.deregisteredEngines();
    out.append("wr_manager_engines{state=\"healthy\"} ")
        .append(stats.healthyEngines())
        .append('\n');
    out.append("wr_manager_engines{state=\"unhealthy\"} ").append(unhealthy).append('\n');
    out.append("wr_manager_engines{state=\"deregistered\"} ")
        .append(stats.deregisteredEngines())
        .append('\n');
    out.append("# HELP wr_manager_routes Routes of registered modules by health.\n")
        .append("# TYPE wr_manager_routes gauge\n");
    out.append("wr_manager_routes{healthy=\"true\"} ").append(stats.healthyRoutes()).append('\n');
    out.append("wr_manager_routes{healthy=\"false\"} ")
        .append(stats.routes() - stats.healthyRoutes())
        .append('\n');
    gauge(out, "wr_manager_routing_rules", "Admin routing rules.", stats.rules());
    gauge(out, "wr_manager_schemas", "Stored module-version schemas.", stats.schemas());
    gauge(
        out,
        "wr_manager_services",
        "Services (namespace, module) ever registered.",
        stats.services());
    gauge(out, "wr_manager_routing_table_watchers", "Open WatchRoutingTable streams.", watchers);
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
    out.append(name).append(' ').append(value).append('\n');
  }
}
