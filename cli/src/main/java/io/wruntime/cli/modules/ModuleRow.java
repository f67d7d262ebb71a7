package io.wruntime.cli.modules;

import io.fabric8.kubernetes.api.model.Condition;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.crds.v1alpha1.WasmModuleStatus;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One WasmModule joined with the manager's routes of the same namespace, module and version.
 *
 * @param resource the WasmModule as the API server returned it
 * @param service the routed {@code namespace.module}
 * @param routes the routing table's routes of {@code service} at the WasmModule's version
 */
public record ModuleRow(WasmModule resource, String service, List<Route> routes) {
  public ModuleRow {
    routes = List.copyOf(routes);
  }

  /** The rows of {@code modules}, ordered by Kubernetes namespace and name. */
  public static List<ModuleRow> join(List<WasmModule> modules, RoutingTable table) {
    List<ModuleRow> rows = new ArrayList<>();
    for (WasmModule wm : modules) {
      String namespace = wm.logicalNamespace();
      String module = wm.moduleName();
      String version = wm.getSpec() == null ? null : wm.getSpec().version();
      List<Route> routes = new ArrayList<>();
      for (Route route : table.getRoutesList()) {
        ModuleRef ref = route.getModule();
        if (ref.getNamespace().equals(namespace)
            && ref.getName().equals(module)
            && ref.getVersion().equals(version)) {
          routes.add(route);
        }
      }
      rows.add(new ModuleRow(wm, namespace + "." + module, routes));
    }
    rows.sort(
        Comparator.comparing((ModuleRow r) -> r.resource().getMetadata().getNamespace())
            .thenComparing(r -> r.resource().getMetadata().getName()));
    return rows;
  }

  public String namespace() {
    return resource.getMetadata().getNamespace();
  }

  public String name() {
    return resource.getMetadata().getName();
  }

  public String version() {
    return resource.getSpec() == null ? null : resource.getSpec().version();
  }

  /** {@code namespace.module@version}: the status' when the operator wrote it, else the spec's. */
  public String module() {
    WasmModuleStatus status = resource.getStatus();
    if (status != null && status.getModule() != null) {
      return status.getModule();
    }
    return service + "@" + version();
  }

  /** Ready pods over desired pods, or null before the operator's first status. */
  public String ready() {
    return resource.getStatus() == null ? null : resource.getStatus().getReady();
  }

  /** Ready, Progressing or Degraded, or null before the operator's first status. */
  public String state() {
    return resource.getStatus() == null ? null : resource.getStatus().getState();
  }

  public long healthyRoutes() {
    return routes.stream().filter(Route::getHealthy).count();
  }

  /**
   * Why the module is not Ready: the message of the Degraded condition when it holds, else of the
   * Ready condition; null when Ready or when no condition says.
   */
  public String message() {
    WasmModuleStatus status = resource.getStatus();
    if (status == null || "Ready".equals(status.getState())) {
      return null;
    }
    Condition degraded = status.condition("Degraded");
    if (degraded != null && "True".equals(degraded.getStatus()) && degraded.getMessage() != null) {
      return degraded.getMessage();
    }
    Condition ready = status.condition("Ready");
    if (ready != null && !"True".equals(ready.getStatus())) {
      return ready.getMessage();
    }
    return null;
  }
}
