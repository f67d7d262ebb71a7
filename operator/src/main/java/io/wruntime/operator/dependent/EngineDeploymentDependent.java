package io.wruntime.operator.dependent;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.operator.model.DeploymentModel;
import io.wruntime.operator.model.Labels;

/** The Deployment of a module's engine pods with their proxy sidecars. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public final class EngineDeploymentDependent
    extends CRUDKubernetesDependentResource<Deployment, WasmModule> {
  public EngineDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(WasmModule wm, Context<WasmModule> context) {
    return DeploymentModel.build(Plans.of(context));
  }
}
