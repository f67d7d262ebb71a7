package io.wruntime.cli.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which pod a port-forward goes to, and to which of its ports: pure functions of the API objects.
 */
public final class ReadyPods {
  private ReadyPods() {}

  /**
   * The first pod, by namespace and name, that is running, ready and not being deleted: what a
   * Service would send traffic to. (Fabric8's own Service port-forward takes the first pod that
   * matches, ready or not.)
   */
  public static Optional<Pod> first(List<Pod> pods) {
    return pods.stream()
        .filter(ReadyPods::isReady)
        .min(
            Comparator.comparing(
                    (Pod p) -> p.getMetadata().getNamespace(),
                    Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(p -> p.getMetadata().getName()));
  }

  /** Running, condition Ready true, no deletion timestamp. */
  public static boolean isReady(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
      return false;
    }
    if (!"Running".equals(pod.getStatus().getPhase())) {
      return false;
    }
    List<PodCondition> conditions = pod.getStatus().getConditions();
    return conditions != null
        && conditions.stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * The pod's port a Service port sends to: its {@code targetPort} as a number, or the container
   * port of that name, or the Service port itself when no target is set.
   *
   * @return the port, or empty when the target names a port the pod does not declare
   */
  public static Optional<Integer> targetPort(Pod pod, ServicePort port) {
    IntOrString target = port.getTargetPort();
    if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
      return Optional.of(port.getPort());
    }
    if (target.getIntVal() != null) {
      return Optional.of(target.getIntVal());
    }
    if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
      return Optional.empty();
    }
    for (Container container : pod.getSpec().getContainers()) {
      for (ContainerPort declared :
          container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
        if (target.getStrVal().equals(declared.getName())) {
          return Optional.of(declared.getContainerPort());
        }
      }
    }
    return Optional.empty();
  }

  /** {@code k=v,k=v}, sorted by key, as kubectl writes a selector. */
  public static String selector(Map<String, String> labels) {
    return labels.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
