package io.wruntime.manager.cluster;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.wruntime.crds.v1alpha1.WasmModule;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** WasmModules and what the operator creates for them, as the API server holds them. */
final class ClusterObjects {
  private ClusterObjects() {}

  /** A WasmModule {@code name} in {@code namespace}; module and logical namespace default. */
  static WasmModule wasmModule(String namespace, String name, String version) {
    return Serialization.unmarshal(
        """
        apiVersion: wruntime.io/v1alpha1
        kind: WasmModule
        metadata: {name: %s, namespace: %s}
        spec:
          version: "%s"
          source: {configMapRef: {name: %s-wasm, key: module.wasm}}
          schema: {configMapRef: {name: %s-schema, key: schema.binpb}}
        """
            .formatted(name, namespace, version, name, name),
        WasmModule.class);
  }

  /** The operator's labels for a pod or ConfigMap of {@code wm} at {@code version}. */
  static Map<String, String> labels(WasmModule wm, String version) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "wr-engine");
    labels.put("app.kubernetes.io/instance", wm.getMetadata().getName());
    labels.put("app.kubernetes.io/managed-by", "wruntime-operator");
    labels.put("wruntime.io/module", wm.moduleName());
    labels.put("wruntime.io/namespace", wm.logicalNamespace());
    labels.put("wruntime.io/version", version.replace('+', '_'));
    return labels;
  }

  /** The operator's ConfigMap {@code <wm>-engine} with the schema of {@code version}. */
  static ConfigMap engineConfigMap(WasmModule wm, String version, ByteString schema) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(wm.getMetadata().getName() + "-engine")
        .withNamespace(wm.getMetadata().getNamespace())
        .withLabels(labels(wm, version))
        .endMetadata()
        .withData(Map.of("engine.toml", "# rendered by the operator\n"))
        .withBinaryData(
            Map.of("schema.binpb", Base64.getEncoder().encodeToString(schema.toByteArray())))
        .build();
  }

  /** An engine pod of {@code wm} at {@code version}, without status (not started). */
  static Pod pod(WasmModule wm, String name, String version, int peerPort) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(wm.getMetadata().getNamespace())
        .withLabels(labels(wm, version))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("engine")
        .withImage("wruntime/wr-engine:test")
        .addNewPort()
        .withName("engine-admin")
        .withContainerPort(9090)
        .endPort()
        .endContainer()
        .addNewContainer()
        .withName("proxy")
        .withImage("wruntime/wr-proxy:test")
        .addNewPort()
        .withName("peer")
        .withContainerPort(peerPort)
        .endPort()
        .addNewPort()
        .withName("proxy-admin")
        .withContainerPort(9091)
        .endPort()
        .endContainer()
        .endSpec()
        .build();
  }

  /** A running pod's status: its IP and the Ready condition. */
  static PodStatus status(String podIp, boolean ready) {
    return new PodStatusBuilder()
        .withPhase("Running")
        .withPodIP(podIp)
        .withConditions(
            new PodConditionBuilder()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .build())
        .build();
  }

  static Pod withStatus(Pod pod, String podIp, boolean ready) {
    return new PodBuilder(pod).withStatus(status(podIp, ready)).build();
  }
}
