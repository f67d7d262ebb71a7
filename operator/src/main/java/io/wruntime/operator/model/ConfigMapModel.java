package io.wruntime.operator.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.Base64;
import java.util.Map;

/** The ConfigMap of a module's pods: engine.toml, proxy.toml and the schema. */
public final class ConfigMapModel {
  private ConfigMapModel() {}

  public static ConfigMap build(ModulePlan plan) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(plan.configMapName())
        .withNamespace(plan.kubernetesNamespace())
        .withLabels(Labels.of(plan.module()))
        .withOwnerReferences(plan.ownerReference())
        .endMetadata()
        .withData(
            Map.of(
                PodLayout.ENGINE_TOML, EngineToml.engine(plan),
                PodLayout.PROXY_TOML, EngineToml.proxy(plan)))
        .withBinaryData(
            Map.of(PodLayout.SCHEMA_FILE, Base64.getEncoder().encodeToString(plan.schema())))
        .build();
  }
}
