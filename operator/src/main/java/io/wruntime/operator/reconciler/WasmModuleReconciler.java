package io.wruntime.operator.reconciler;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.crds.v1alpha1.WasmModuleStatus;
import io.wruntime.operator.config.OperatorConfig;
import io.wruntime.operator.dependent.EngineConfigMapDependent;
import io.wruntime.operator.dependent.EngineDeploymentDependent;
import io.wruntime.operator.dependent.PeerServiceDependent;
import io.wruntime.operator.dependent.Plans;
import io.wruntime.operator.model.Labels;
import io.wruntime.operator.model.ModulePlan;
import io.wruntime.operator.model.ModuleValidator;
import io.wruntime.operator.model.SpecProblem;
import io.wruntime.operator.status.StatusAggregator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a WasmModule: observe, validate, then reconcile its ConfigMap, Deployment and Service
 * (only when valid: an invalid spec creates nothing and leaves what runs alone), and patch one
 * status. Owner references let Kubernetes delete what it owns; no finalizer, since nothing lives
 * outside the cluster.
 */
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "config", type = EngineConfigMapDependent.class),
      @Dependent(name = "deployment", type = EngineDeploymentDependent.class, dependsOn = "config"),
      @Dependent(name = "service", type = PeerServiceDependent.class)
    })
@ControllerConfiguration(
    name = WasmModuleReconciler.NAME,
    // The binary and schema ConfigMaps a module names are read, not watched: a change to them is
    // seen at the latest after this interval.
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 60, timeUnit = TimeUnit.SECONDS))
public final class WasmModuleReconciler implements Reconciler<WasmModule> {
  public static final String NAME = "wasmmodule";

  /**
   * How soon a module whose references are missing or wrong is looked at again: references are
   * read, not watched, so this is how fast creating the missing ConfigMap or Secret is noticed.
   */
  static final Duration RECHECK_BROKEN = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(WasmModuleReconciler.class);

  private final OperatorConfig config;
  private final Clock clock;
  private final EngineReadiness engines = new EngineReadiness();

  public WasmModuleReconciler(OperatorConfig config, Clock clock) {
    this.config = requireNonNull(config, "config");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public UpdateControl<WasmModule> reconcile(WasmModule wm, Context<WasmModule> context) {
    List<SpecProblem> problems = new ArrayList<>(ModuleValidator.validate(wm));
    if (problems.isEmpty()) {
      ReferenceResolver.Resolution resolution =
          new ReferenceResolver(context.getClient()).resolve(wm, context.getPrimaryCache().list());
      problems.addAll(resolution.problems());
      if (problems.isEmpty()) {
        ModulePlan plan =
            new ModulePlan(
                wm,
                resolution.schema(),
                resolution.wasmDigest(),
                config.pods(),
                config.managerAddress());
        plan.sizeProblem().ifPresent(problems::add);
        if (problems.isEmpty()) {
          Plans.put(context, plan);
          context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
        }
      }
    }
    Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
    Optional<SpecProblem> engineFailure =
        problems.isEmpty()
            ? engines.failure(context.getSecondaryResourcesAsStream(Pod.class))
            : Optional.empty();
    WasmModuleStatus status =
        StatusAggregator.compute(
            wm, problems, engineFailure.orElse(null), deployment, clock.instant());
    announce(wm, status, context);
    UpdateControl<WasmModule> control = patchIfChanged(wm, status);
    return problems.isEmpty() && engineFailure.isEmpty()
        ? control
        : control.rescheduleAfter(RECHECK_BROKEN);
  }

  /**
   * The module's engine pods (labelled by the operator, owned by ReplicaSets), so that a pod
   * turning ready or unready reconciles its WasmModule.
   */
  @Override
  public List<EventSource<?, WasmModule>> prepareEventSources(
      EventSourceContext<WasmModule> context) {
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, WasmModule.class)
                .withName("engine-pods")
                .withLabelSelector(Labels.MANAGED_SELECTOR)
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(
                    (Pod pod) ->
                        Set.of(
                            new ResourceID(
                                pod.getMetadata().getLabels().get(Labels.INSTANCE),
                                pod.getMetadata().getNamespace())))
                .build(),
            context));
  }

  @Override
  public ErrorStatusUpdateControl<WasmModule> updateErrorStatus(
      WasmModule wm, Context<WasmModule> context, Exception e) {
    String message = "reconciliation failed: " + FailureMessages.of(e);
    LOG.warn(
        "WasmModule {}/{}: {}",
        wm.getMetadata().getNamespace(),
        wm.getMetadata().getName(),
        message);
    WasmModuleStatus status =
        StatusAggregator.compute(
            wm,
            List.of(new SpecProblem("ReconcileFailed", message)),
            null,
            context.getSecondaryResource(Deployment.class).orElse(null),
            clock.instant());
    announce(wm, status, context);
    if (status.equals(wm.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    return ErrorStatusUpdateControl.patchStatus(statusPatch(wm, status));
  }

  /** One Event when the module turns Degraded or its problem changes, one when it recovers. */
  private void announce(WasmModule wm, WasmModuleStatus status, Context<WasmModule> context) {
    Condition before =
        wm.getStatus() == null ? null : wm.getStatus().condition(StatusAggregator.DEGRADED);
    Condition after = status.condition(StatusAggregator.DEGRADED);
    boolean wasDegraded = before != null && "True".equals(before.getStatus());
    boolean isDegraded = "True".equals(after.getStatus());
    ModuleEvents events = new ModuleEvents(context.getClient());
    if (isDegraded
        && (!wasDegraded
            || !Objects.equals(before.getReason(), after.getReason())
            || !Objects.equals(before.getMessage(), after.getMessage()))) {
      LOG.info(
          "WasmModule {}/{} is degraded ({}): {}",
          wm.getMetadata().getNamespace(),
          wm.getMetadata().getName(),
          after.getReason(),
          after.getMessage());
      events.warning(wm, after.getReason(), after.getMessage());
    } else if (wasDegraded && !isDegraded) {
      events.normal(
          wm, "Recovered", "the spec is valid again: " + before.getReason() + " resolved");
    }
  }

  private static UpdateControl<WasmModule> patchIfChanged(WasmModule wm, WasmModuleStatus status) {
    if (status.equals(wm.getStatus())) {
      return UpdateControl.noUpdate();
    }
    return UpdateControl.patchStatus(statusPatch(wm, status));
  }

  /** A fresh resource that carries only what identifies it and the new status. */
  private static WasmModule statusPatch(WasmModule wm, WasmModuleStatus status) {
    WasmModule patch = new WasmModule();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(wm.getMetadata().getName())
            .withNamespace(wm.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return patch;
  }
}
