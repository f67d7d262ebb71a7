package io.wruntime.operator.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.operator.model.ConfigMapModel;
import io.wruntime.operator.model.Labels;

/** The ConfigMap with a module's engine.toml, proxy.toml and schema. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public final class EngineConfigMapDependent
    extends CRUDKubernetesDependentResource<ConfigMap, WasmModule> {
  public EngineConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(WasmModule wm, Context<WasmModule> context) {
    return ConfigMapModel.build(Plans.of(context));
  }
}
