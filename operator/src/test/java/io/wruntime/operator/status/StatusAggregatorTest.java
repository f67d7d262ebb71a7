package io.wruntime.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.crds.v1alpha1.WasmModuleStatus;
import io.wruntime.operator.Fixtures;
import io.wruntime.operator.model.SpecProblem;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusAggregatorTest {
  private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-12-04T10:05:00Z");

  private static Deployment deployment(long generation, long observed, int replicas, int ready) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withGeneration(generation)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(observed)
        .withReplicas(replicas)
        .withUpdatedReplicas(replicas)
        .withReadyReplicas(ready)
        .withAvailableReplicas(ready)
        .endStatus()
        .build();
  }

  private static String status(WasmModuleStatus s, String type) {
    return s.condition(type).getStatus() + "/" + s.condition(type).getReason();
  }

  @Test
  void readyWhenTheDeploymentRolledOutWithTheCurrentGeneration() {
    WasmModule wm = Fixtures.module(Fixtures.ECHO);
    WasmModuleStatus s = StatusAggregator.compute(wm, List.of(), null, deployment(2, 2, 1, 1), T0);
    assertThat(status(s, "Ready")).isEqualTo("True/Ready");
    assertThat(status(s, "Progressing")).isEqualTo("False/Complete");
    assertThat(status(s, "Degraded")).isEqualTo("False/AsExpected");
    assertThat(s.getObservedGeneration()).isEqualTo(1);
    assertThat(s.getConditions()).extracting(Condition::getObservedGeneration).containsOnly(1L);
    assertThat(s.getReady()).isEqualTo("1/1");
    assertThat(s.getState()).isEqualTo("Ready");
    assertThat(s.getModule()).isEqualTo("shop.echo@1.0.0");
    assertThat(s.getSelector())
        .isEqualTo("app.kubernetes.io/name=wr-engine,app.kubernetes.io/instance=echo");
  }

  @Test
  void progressingWhileTheControllerHasNotSeenTheChangeOrPodsAreNotReady() {
    WasmModule wm = Fixtures.module(Fixtures.ECHO);
    assertThat(
            status(
                StatusAggregator.compute(wm, List.of(), null, deployment(3, 2, 1, 1), T0), "Ready"))
        .isEqualTo("False/RollingOut");
    WasmModuleStatus s = StatusAggregator.compute(wm, List.of(), null, deployment(2, 2, 1, 0), T0);
    assertThat(status(s, "Progressing")).isEqualTo("True/RollingOut");
    assertThat(s.getState()).isEqualTo("Progressing");
    assertThat(status(StatusAggregator.compute(wm, List.of(), null, null, T0), "Ready"))
        .isEqualTo("False/Creating");
  }

  @Test
  void aProblemMakesItDegradedAndNotReady() {
    WasmModule wm = Fixtures.module(Fixtures.ECHO);
    WasmModuleStatus s =
        StatusAggregator.compute(
            wm,
            List.of(new SpecProblem("ConfigMapNotFound", "ConfigMap echo-wasm does not exist")),
            null,
            null,
            T0);
    assertThat(status(s, "Degraded")).isEqualTo("True/ConfigMapNotFound");
    assertThat(s.condition("Degraded").getMessage())
        .isEqualTo("ConfigMap echo-wasm does not exist");
    assertThat(status(s, "Ready")).isEqualTo("False/ConfigMapNotFound");
    assertThat(s.getState()).isEqualTo("Degraded");
    assertThat(status(s, "Stalled")).isEqualTo("True/ConfigMapNotFound");
    assertThat(s.condition("Reconciling")).isNull();
  }

  @Test
  void kstatusReadsReconcilingWhileRollingOutAndNothingOnceReady() {
    WasmModule wm = Fixtures.module(Fixtures.ECHO);
    WasmModuleStatus rolling =
        StatusAggregator.compute(wm, List.of(), null, deployment(2, 2, 1, 0), T0);
    assertThat(status(rolling, "Reconciling")).isEqualTo("True/RollingOut");
    WasmModuleStatus ready =
        StatusAggregator.compute(wm, List.of(), null, deployment(2, 2, 1, 1), T0);
    assertThat(ready.getConditions())
        .extracting(Condition::getType)
        .containsExactly("Ready", "Progressing", "Degraded");
  }

  @Test
  void aRolloutPastItsDeadlineIsDegraded() {
    Deployment stuck = deployment(2, 2, 1, 0);
    stuck
        .getStatus()
        .setConditions(
            List.of(
                new io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder()
                    .withType("Progressing")
                    .withStatus("False")
                    .withReason("ProgressDeadlineExceeded")
                    .withMessage("ReplicaSet \"echo-1\" has timed out progressing.")
                    .build()));
    WasmModuleStatus s =
        StatusAggregator.compute(Fixtures.module(Fixtures.ECHO), List.of(), null, stuck, T0);
    assertThat(status(s, "Degraded")).isEqualTo("True/ProgressDeadlineExceeded");
    assertThat(s.condition("Degraded").getMessage()).contains("has timed out progressing");
  }

  @Test
  void transitionTimesMoveOnlyWhenAConditionsStatusChanges() {
    WasmModule wm = Fixtures.module(Fixtures.ECHO);
    WasmModuleStatus first =
        StatusAggregator.compute(wm, List.of(), null, deployment(2, 2, 1, 0), T0);
    wm.setStatus(first);
    WasmModuleStatus again =
        StatusAggregator.compute(wm, List.of(), null, deployment(2, 2, 1, 0), T1);
    assertThat(again).isEqualTo(first);
    WasmModuleStatus ready =
        StatusAggregator.compute(wm, List.of(), null, deployment(2, 2, 1, 1), T1);
    assertThat(ready.condition("Ready").getLastTransitionTime()).isEqualTo("2026-12-04T10:05:00Z");
    assertThat(ready.condition("Degraded").getLastTransitionTime())
        .isEqualTo("2026-12-04T10:00:00Z");
  }

  @Test
  void anEngineThatCannotLoadTheModuleMakesItDegradedInTheEnginesWords() {
    WasmModuleStatus s =
        StatusAggregator.compute(
            Fixtures.module(Fixtures.ECHO),
            List.of(),
            new SpecProblem(
                "ModuleLoadFailed", "pod echo-1: module shop.echo@1.0.0 failed to load: bad magic"),
            deployment(2, 2, 1, 0),
            T0);
    assertThat(status(s, "Degraded")).isEqualTo("True/ModuleLoadFailed");
    assertThat(s.condition("Degraded").getMessage()).endsWith("failed to load: bad magic");
    assertThat(status(s, "Ready")).isEqualTo("False/ModuleLoadFailed");
    assertThat(s.getState()).isEqualTo("Degraded");
  }

  @Test
  void podsThatCannotBeCreatedAreDegradedWithTheDeploymentsReason() {
    Deployment blocked = deployment(2, 2, 0, 0);
    blocked
        .getStatus()
        .setConditions(
            List.of(
                new io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder()
                    .withType("ReplicaFailure")
                    .withStatus("True")
                    .withReason("FailedCreate")
                    .withMessage(
                        "pods \"echo-1\" is forbidden: error looking up service account shop/nope")
                    .build()));
    WasmModuleStatus s =
        StatusAggregator.compute(Fixtures.module(Fixtures.ECHO), List.of(), null, blocked, T0);
    assertThat(status(s, "Degraded")).isEqualTo("True/ReplicaFailure");
    assertThat(s.condition("Degraded").getMessage())
        .isEqualTo(
            "pods cannot be created: pods \"echo-1\" is forbidden: error looking up service account"
                + " shop/nope");
  }
}
