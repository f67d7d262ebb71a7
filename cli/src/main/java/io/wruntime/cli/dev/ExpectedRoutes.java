package io.wruntime.cli.dev;

import static java.util.Objects.requireNonNull;

import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingTable;
import java.util.ArrayList;
import java.util.List;

/**
 * The routes a dev stack waits for: one healthy route per module of each engine, in the manager's
 * table and in a table the proxy holds (the proxy routes only by the table pushed to it).
 *
 * @param engines each engine's id and the modules it registers
 */
record ExpectedRoutes(List<Engine> engines) {
  ExpectedRoutes {
    engines = List.copyOf(requireNonNull(engines, "engines"));
  }

  /**
   * @param id the engine id it registers with
   * @param source its configuration file, for messages
   * @param modules the modules that loaded (only those register)
   */
  record Engine(String id, String source, List<ModuleRef> modules) {
    Engine {
      requireNonNull(id, "id");
      requireNonNull(source, "source");
      modules = List.copyOf(requireNonNull(modules, "modules"));
    }
  }

  /**
   * What keeps the stack from being ready, one entry per module, e.g. {@code example.echo@1.0.0
   * (engine host-9100-ab12cd34, examples/config/quickstart.toml): registered, not healthy yet};
   * empty when every module is routed healthy by the manager and the proxy has that table.
   *
   * @param table the manager's routing table now
   * @param proxyVersion the version of the routing table the proxy holds, -1 when none arrived
   */
  List<String> notReady(RoutingTable table, long proxyVersion) {
    requireNonNull(table, "table");
    List<String> missing = new ArrayList<>();
    for (Engine engine : engines) {
      for (ModuleRef module : engine.modules()) {
        Route route = find(table, engine.id(), module);
        String state =
            route == null
                ? "not registered yet"
                : route.getHealthy() ? null : "registered, not healthy yet";
        if (state != null) {
          missing.add(
              label(module) + " (engine " + engine.id() + ", " + engine.source() + "): " + state);
        }
      }
    }
    if (missing.isEmpty() && proxyVersion < table.getVersion()) {
      missing.add(
          "the proxy's routing table (version "
              + (proxyVersion < 0 ? "none" : proxyVersion)
              + ") is older than the manager's (version "
              + table.getVersion()
              + ")");
    }
    return missing;
  }

  private static Route find(RoutingTable table, String engineId, ModuleRef module) {
    for (Route route : table.getRoutesList()) {
      if (route.getEngineId().equals(engineId) && route.getModule().equals(module)) {
        return route;
      }
    }
    return null;
  }

  /** {@code namespace.name@version}. */
  static String label(ModuleRef module) {
    return module.getNamespace() + "." + module.getName() + "@" + module.getVersion();
  }
}
