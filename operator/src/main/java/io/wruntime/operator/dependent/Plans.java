package io.wruntime.operator.dependent;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.operator.model.ModulePlan;

/** Hands the reconciler's validated plan to the dependents of the same reconciliation. */
public final class Plans {
  private Plans() {}

  /** Stores {@code plan} for the dependents reconciled next in this context. */
  public static void put(Context<WasmModule> context, ModulePlan plan) {
    context.managedWorkflowAndDependentResourceContext().put(ModulePlan.class, plan);
  }

  static ModulePlan of(Context<WasmModule> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .getMandatory(ModulePlan.class, ModulePlan.class);
  }
}
