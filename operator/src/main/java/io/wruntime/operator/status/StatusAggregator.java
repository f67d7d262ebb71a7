package io.wruntime.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.crds.v1alpha1.WasmModuleStatus;
import io.wruntime.operator.model.Labels;
import io.wruntime.operator.model.SpecProblem;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The one place that decides a WasmModule's status: its conditions {@code Ready}, {@code
 * Progressing} and {@code Degraded} (API conventions: each with reason, message, observed
 * generation, and a transition time that moves only when the condition's status does), the replica
 * counts and the scale selector. A pure function of what was observed.
 */
public final class StatusAggregator {
  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  /** kstatus's names (Flux, kpt, cli-utils) for Progressing and for a Degraded spec. */
  public static final String RECONCILING = "Reconciling";

  public static final String STALLED = "Stalled";

  private StatusAggregator() {}

  /**
   * The status of {@code wm}.
   *
   * @param problems what is wrong with its spec or references (empty when none)
   * @param engineFailure why its engines do not become ready, in their words, or null
   * @param deployment its Deployment as last observed, or null when there is none
   * @param now the time a condition that changes gets as its transition time
   */
  public static WasmModuleStatus compute(
      WasmModule wm,
      List<SpecProblem> problems,
      SpecProblem engineFailure,
      Deployment deployment,
      Instant now) {
    WasmModuleStatus previous = wm.getStatus();
    long generation =
        wm.getMetadata().getGeneration() == null ? 0 : wm.getMetadata().getGeneration();
    int desired = wm.getSpec() == null ? 0 : wm.getSpec().desiredReplicas();
    DeploymentStatus observed = deployment == null ? null : deployment.getStatus();
    int replicas = observed == null ? 0 : value(observed.getReplicas());
    int ready = observed == null ? 0 : value(observed.getReadyReplicas());

    Condition readyCondition;
    Condition progressing;
    Condition degraded;
    String state;
    if (!problems.isEmpty()) {
      String reason = problems.get(0).reason();
      String message =
          problems.stream().map(SpecProblem::message).collect(Collectors.joining("; "));
      readyCondition = condition(READY, false, reason, "the spec cannot be rolled out: " + message);
      progressing = condition(PROGRESSING, false, reason, "waiting for the spec to be fixed");
      degraded = condition(DEGRADED, true, reason, message);
      state = DEGRADED;
    } else if (deployment == null) {
      readyCondition = condition(READY, false, "Creating", "creating the module's Deployment");
      progressing = condition(PROGRESSING, true, "Creating", "creating the module's Deployment");
      degraded = condition(DEGRADED, false, "AsExpected", "no problem found");
      state = PROGRESSING;
    } else {
      Rollout rollout = Rollout.of(deployment, desired);
      String counts = ready + "/" + desired + " pods ready";
      if (engineFailure != null && !rollout.complete) {
        readyCondition =
            condition(
                READY, false, engineFailure.reason(), counts + ": " + engineFailure.message());
        progressing =
            condition(
                PROGRESSING,
                rollout.failed == null,
                rollout.failed == null ? "RollingOut" : rollout.failedReason,
                rollout.failed == null ? rollout.detail : rollout.failed);
        degraded = condition(DEGRADED, true, engineFailure.reason(), engineFailure.message());
        state = DEGRADED;
      } else if (rollout.failed != null) {
        readyCondition =
            condition(
                READY, rollout.complete, rollout.complete ? "Ready" : "RolloutFailed", counts);
        progressing = condition(PROGRESSING, false, rollout.failedReason, rollout.failed);
        degraded = condition(DEGRADED, true, rollout.failedReason, rollout.failed);
        state = DEGRADED;
      } else if (rollout.complete) {
        readyCondition = condition(READY, true, desired == 0 ? "ScaledToZero" : "Ready", counts);
        progressing = condition(PROGRESSING, false, "Complete", "the rollout is complete");
        degraded = condition(DEGRADED, false, "AsExpected", "no problem found");
        state = READY;
      } else {
        readyCondition = condition(READY, false, "RollingOut", counts + ", " + rollout.detail);
        progressing = condition(PROGRESSING, true, "RollingOut", rollout.detail);
        degraded = condition(DEGRADED, false, "AsExpected", "no problem found");
        state = PROGRESSING;
      }
    }

    WasmModuleStatus status = new WasmModuleStatus();
    status.setObservedGeneration(generation);
    status.setReplicas(replicas);
    status.setReadyReplicas(ready);
    status.setSelector(
        Labels.selector(wm).entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(",")));
    if (wm.getSpec() != null) {
      status.setModule(
          wm.logicalNamespace() + "." + wm.moduleName() + "@" + wm.getSpec().version());
    }
    status.setReady(ready + "/" + desired);
    status.setState(state);
    // Reconciling and Stalled say the same as Progressing and Degraded in kstatus's words (present
    // only while true, as kstatus reads them), so Flux's default health check needs no setup.
    List<Condition> conditions = new java.util.ArrayList<>();
    conditions.add(stamp(readyCondition, previous, generation, now));
    conditions.add(stamp(progressing, previous, generation, now));
    conditions.add(stamp(degraded, previous, generation, now));
    if ("True".equals(progressing.getStatus())) {
      conditions.add(
          stamp(
              condition(RECONCILING, true, progressing.getReason(), progressing.getMessage()),
              previous,
              generation,
              now));
    }
    if ("True".equals(degraded.getStatus())) {
      conditions.add(
          stamp(
              condition(STALLED, true, degraded.getReason(), degraded.getMessage()),
              previous,
              generation,
              now));
    }
    status.setConditions(conditions);
    return status;
  }

  private static Condition condition(String type, boolean status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  /** Keeps the previous transition time unless the condition's status changed. */
  private static Condition stamp(
      Condition condition, WasmModuleStatus previous, long generation, Instant now) {
    Condition before = previous == null ? null : previous.condition(condition.getType());
    String time =
        before != null
                && Objects.equals(before.getStatus(), condition.getStatus())
                && before.getLastTransitionTime() != null
            ? before.getLastTransitionTime()
            : DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
    condition.setLastTransitionTime(time);
    condition.setObservedGeneration(generation);
    return condition;
  }

  private static int value(Integer count) {
    return count == null ? 0 : count;
  }

  /** Where a Deployment's rollout stands, from its status. */
  private record Rollout(boolean complete, String failed, String failedReason, String detail) {
    static Rollout of(Deployment deployment, int desired) {
      DeploymentStatus status = deployment.getStatus();
      if (status == null) {
        return new Rollout(false, null, null, "waiting for the Deployment's first status");
      }
      long generation =
          deployment.getMetadata().getGeneration() == null
              ? 0
              : deployment.getMetadata().getGeneration();
      long observed = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
      int updated = value(status.getUpdatedReplicas());
      int available = value(status.getAvailableReplicas());
      int total = value(status.getReplicas());
      String failed = null;
      String failedReason = null;
      Map<String, DeploymentCondition> conditions =
          status.getConditions() == null
              ? Map.of()
              : status.getConditions().stream()
                  .collect(Collectors.toMap(DeploymentCondition::getType, c -> c, (a, b) -> b));
      DeploymentCondition progressing = conditions.get("Progressing");
      if (progressing != null
          && "False".equals(progressing.getStatus())
          && "ProgressDeadlineExceeded".equals(progressing.getReason())) {
        failedReason = "ProgressDeadlineExceeded";
        failed =
            "the Deployment made no progress within its deadline: "
                + Objects.requireNonNullElse(progressing.getMessage(), "no message");
      }
      DeploymentCondition replicaFailure = conditions.get("ReplicaFailure");
      if (replicaFailure != null && "True".equals(replicaFailure.getStatus())) {
        // The ReplicaSet cannot create pods (a missing ServiceAccount, a quota): no pod will
        // ever tell why, so the Deployment's own words are the reason.
        failedReason = "ReplicaFailure";
        failed =
            "pods cannot be created: "
                + Objects.requireNonNullElse(
                    replicaFailure.getMessage(), replicaFailure.getReason());
      }
      if (observed < generation) {
        return new Rollout(
            false, failed, failedReason, "waiting for the Deployment controller to see the change");
      }
      boolean complete =
          Integer.valueOf(desired).equals(deployment.getSpec().getReplicas())
              && updated >= desired
              && available >= desired
              && total == desired;
      String detail =
          updated + "/" + desired + " pods updated, " + available + "/" + desired + " available";
      if (total > desired) {
        detail += ", " + (total - desired) + " old pods terminating";
      }
      return new Rollout(complete, complete ? null : failed, failedReason, detail);
    }
  }
}
