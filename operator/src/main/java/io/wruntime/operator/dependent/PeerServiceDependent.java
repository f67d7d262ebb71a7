package io.wruntime.operator.dependent;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.operator.model.Labels;
import io.wruntime.operator.model.ServiceModel;

/** The Service of a module's peer port. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public final class PeerServiceDependent
    extends CRUDKubernetesDependentResource<Service, WasmModule> {
  public PeerServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(WasmModule wm, Context<WasmModule> context) {
    return ServiceModel.build(Plans.of(context));
  }
}
