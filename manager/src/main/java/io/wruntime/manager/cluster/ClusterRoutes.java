package io.wruntime.manager.cluster;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.wruntime.common.names.SemVer;
import io.wruntime.common.net.HostPort;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.manager.registry.ClusterRoute;
import io.wruntime.manager.registry.ModuleKey;
import io.wruntime.manager.registry.Schema;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routes and schemas the cluster declares: a pure function of WasmModules, engine pods and the
 * operator's ConfigMaps, unit-tested without Kubernetes.
 *
 * <p>A pod counts when its WasmModule ({@code app.kubernetes.io/instance} in the pod's namespace)
 * exists and it has a pod IP. Its route serves ({@code wruntime.io/namespace}, {@code
 * wruntime.io/module}, {@code wruntime.io/version} with '_' read as '+') at {@code podIP:peer}, the
 * port named {@code peer} of container {@code proxy}; node and engine id are the pod name. It is
 * healthy while the pod's condition Ready is True and the pod is not terminating. A schema comes
 * from the WasmModule's ConfigMap {@code <name>-engine}, key {@code schema.binpb} of binaryData,
 * for the version the ConfigMap's own labels name (the operator writes both together, so a schema
 * is never attributed to a version the WasmModule has only just moved to).
 */
public final class ClusterRoutes {
  private ClusterRoutes() {}

  /**
   * @param engineAddress where a pod's proxy reaches the engine in the same pod
   */
  public static ClusterState desired(
      Collection<WasmModule> modules,
      Collection<Pod> pods,
      Collection<ConfigMap> configMaps,
      HostPort engineAddress) {
    requireNonNull(modules, "modules");
    requireNonNull(pods, "pods");
    requireNonNull(configMaps, "configMaps");
    requireNonNull(engineAddress, "engineAddress");
    Set<String> wasmModules = new HashSet<>();
    for (WasmModule wm : modules) {
      wasmModules.add(key(wm.getMetadata().getNamespace(), wm.getMetadata().getName()));
    }
    List<String> ignored = new ArrayList<>();
    List<ClusterRoute> routes = new ArrayList<>();
    for (Pod pod : pods) {
      ClusterRoute route = route(pod, wasmModules, engineAddress, ignored);
      if (route != null) {
        routes.add(route);
      }
    }
    routes.sort(null);
    Map<ModuleKey, Schema> schemas = new LinkedHashMap<>();
    for (ConfigMap configMap : configMaps) {
      schema(configMap, wasmModules, schemas, ignored);
    }
    ignored.sort(null);
    return new ClusterState(routes, schemas, ignored);
  }

  private static ClusterRoute route(
      Pod pod, Set<String> wasmModules, HostPort engineAddress, List<String> ignored) {
    String what = "pod " + name(pod);
    Map<String, String> labels = labels(pod);
    String instance = labels.get(EngineLabels.INSTANCE);
    if (instance == null
        || !wasmModules.contains(key(pod.getMetadata().getNamespace(), instance))) {
      // Its WasmModule is gone (the pods follow by garbage collection) or not seen yet.
      return null;
    }
    ModuleKey module = moduleKey(labels, what, ignored);
    if (module == null) {
      return null;
    }
    String podIp = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (podIp == null || podIp.isEmpty()) {
      // Not started yet: nothing to route to.
      return null;
    }
    Integer peerPort = peerPort(pod);
    if (peerPort == null) {
      ignored.add(
          what
              + ": no port named \""
              + EngineLabels.PEER_PORT_NAME
              + "\" on container \""
              + EngineLabels.PROXY_CONTAINER
              + "\" (expected: the operator's pod layout)");
      return null;
    }
    String detail;
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      detail = what + " is terminating";
    } else if (!ready(pod)) {
      detail = what + " is not ready";
    } else {
      detail = "";
    }
    String podName = pod.getMetadata().getName();
    return new ClusterRoute(
        module,
        podName,
        engineAddress.toString(),
        podName,
        new HostPort(podIp, peerPort).toString(),
        detail.isEmpty(),
        detail);
  }

  private static void schema(
      ConfigMap configMap,
      Set<String> wasmModules,
      Map<ModuleKey, Schema> schemas,
      List<String> ignored) {
    String name = configMap.getMetadata().getName();
    String namespace = configMap.getMetadata().getNamespace();
    Map<String, String> labels = labels(configMap);
    String instance = labels.get(EngineLabels.INSTANCE);
    if (instance == null
        || !name.equals(EngineLabels.configMapName(instance))
        || !wasmModules.contains(key(namespace, instance))) {
      return;
    }
    String what = "ConfigMap " + name(configMap);
    ModuleKey module = moduleKey(labels, what, ignored);
    if (module == null) {
      return;
    }
    Map<String, String> binary = configMap.getBinaryData();
    String encoded = binary == null ? null : binary.get(EngineLabels.SCHEMA_KEY);
    if (encoded == null) {
      ignored.add(
          what
              + ": no binaryData key "
              + EngineLabels.SCHEMA_KEY
              + " (expected: the module's FileDescriptorSet)");
      return;
    }
    try {
      schemas.put(module, Schema.parse(ByteString.copyFrom(Base64.getDecoder().decode(encoded))));
    } catch (IllegalArgumentException e) {
      ignored.add(what + ": binaryData " + EngineLabels.SCHEMA_KEY + " is " + e.getMessage());
    }
  }

  private static ModuleKey moduleKey(
      Map<String, String> labels, String what, List<String> ignored) {
    String namespace = labels.get(EngineLabels.NAMESPACE);
    String module = labels.get(EngineLabels.MODULE);
    String label = labels.get(EngineLabels.MODULE_VERSION);
    if (namespace == null || module == null || label == null) {
      ignored.add(
          what
              + ": labels "
              + EngineLabels.NAMESPACE
              + ", "
              + EngineLabels.MODULE
              + " and "
              + EngineLabels.MODULE_VERSION
              + " are not all set (expected: the operator's labels)");
      return null;
    }
    String version = EngineLabels.versionFromLabel(label);
    try {
      SemVer.parse(version);
    } catch (IllegalArgumentException e) {
      ignored.add(what + ": label " + EngineLabels.MODULE_VERSION + " " + e.getMessage());
      return null;
    }
    return new ModuleKey(namespace, module, version);
  }

  private static Integer peerPort(Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
      return null;
    }
    for (Container container : pod.getSpec().getContainers()) {
      if (!EngineLabels.PROXY_CONTAINER.equals(container.getName())
          || container.getPorts() == null) {
        continue;
      }
      for (ContainerPort port : container.getPorts()) {
        if (EngineLabels.PEER_PORT_NAME.equals(port.getName())
            && port.getContainerPort() != null
            && port.getContainerPort() > 0) {
          return port.getContainerPort();
        }
      }
    }
    return null;
  }

  private static boolean ready(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition condition : pod.getStatus().getConditions()) {
      if ("Ready".equals(condition.getType())) {
        return "True".equals(condition.getStatus());
      }
    }
    return false;
  }

  private static Map<String, String> labels(HasMetadata object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }

  private static String name(HasMetadata object) {
    return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
