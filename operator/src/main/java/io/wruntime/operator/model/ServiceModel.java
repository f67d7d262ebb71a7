package io.wruntime.operator.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** The Service of a module's peer port: how other pods' proxies reach its pods. */
public final class ServiceModel {
  private ServiceModel() {}

  public static Service build(ModulePlan plan) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(plan.name())
        .withNamespace(plan.kubernetesNamespace())
        .withLabels(Labels.of(plan.module()))
        .withOwnerReferences(plan.ownerReference())
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(Labels.selector(plan.module()))
        .addNewPort()
        .withName(PodLayout.PEER_PORT_NAME)
        .withProtocol("TCP")
        .withPort(PodLayout.PEER_PORT)
        .withTargetPort(new IntOrString(PodLayout.PEER_PORT_NAME))
        .endPort()
        .endSpec()
        .build();
  }
}
