package io.wruntime.cli.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadyPodsTest {
  private static Pod pod(String name, String phase, String ready, boolean deleting) {
    PodBuilder builder =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("ns")
            .withDeletionTimestamp(deleting ? "2025-01-01T00:00:00Z" : null)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("manager")
            .addNewPort()
            .withName("grpc")
            .withContainerPort(9000)
            .endPort()
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase(phase)
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready)
            .endCondition()
            .endStatus();
    return builder.build();
  }

  @Test
  void theFirstPodThatIsRunningReadyAndNotDeletingIsChosen() {
    List<Pod> pods =
        List.of(
            pod("d", "Running", "True", false),
            pod("a", "Running", "False", false),
            pod("b", "Pending", "True", false),
            pod("c", "Running", "True", true),
            pod("e", "Running", "True", false));

    assertThat(ReadyPods.first(pods)).map(p -> p.getMetadata().getName()).contains("d");
    assertThat(ReadyPods.first(List.of(pod("a", "Running", "False", false)))).isEmpty();
  }

  @Test
  void aNamedTargetPortIsTheContainerPortOfThatName() {
    Pod pod = pod("a", "Running", "True", false);
    ServicePort named =
        new ServicePortBuilder().withPort(80).withTargetPort(new IntOrString("grpc")).build();
    ServicePort numbered =
        new ServicePortBuilder().withPort(80).withTargetPort(new IntOrString(9009)).build();
    ServicePort none = new ServicePortBuilder().withPort(9000).build();
    ServicePort unknown =
        new ServicePortBuilder().withPort(80).withTargetPort(new IntOrString("http")).build();

    assertThat(ReadyPods.targetPort(pod, named)).contains(9000);
    assertThat(ReadyPods.targetPort(pod, numbered)).contains(9009);
    assertThat(ReadyPods.targetPort(pod, none)).contains(9000);
    assertThat(ReadyPods.targetPort(pod, unknown)).isEmpty();
  }
}
