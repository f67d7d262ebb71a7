package io.wruntime.manager.cluster;

import static java.util.Objects.requireNonNull;

import io.wruntime.manager.registry.ClusterRoute;
import io.wruntime.manager.registry.ModuleKey;
import io.wruntime.manager.registry.Schema;
import java.util.List;
import java.util.Map;

/**
 * What the cluster declares at one moment: the routes of engine pods, the schemas of the module
 * versions whose ConfigMaps exist, and what was skipped and why.
 *
 * @param routes one route per engine pod that has an address, ordered by module and pod
 * @param schemas each module version's schema, from its WasmModule's ConfigMap
 * @param ignored objects that look like wruntime's but cannot be used, each with the reason
 */
public record ClusterState(
    List<ClusterRoute> routes, Map<ModuleKey, Schema> schemas, List<String> ignored) {
  public ClusterState {
    routes = List.copyOf(requireNonNull(routes, "routes"));
    schemas = Map.copyOf(requireNonNull(schemas, "schemas"));
    ignored = List.copyOf(requireNonNull(ignored, "ignored"));
  }
}
