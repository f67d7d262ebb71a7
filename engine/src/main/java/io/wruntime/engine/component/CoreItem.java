package io.wruntime.engine.component;

import com.dylibso.chicory.wasm.types.FunctionType;
import io.wruntime.engine.component.Component.Sort;
import io.wruntime.engine.host.abi.HostFunctionDef;

/** A core function, table, memory or global of a linked component, as the linker resolved it. */
sealed interface CoreItem {
  Sort sort();

  /** The export {@code name} of the plan's core instance {@code instance}. */
  record ExportOf(int instance, String name, Sort sort) implements CoreItem {}

  /**
   * A host function reached through {@code canon lower} (or {@code canon resource.drop}), with the
   * memory and realloc of its options (null when absent).
   */
  record Lowered(
      String instance, String function, HostFunctionDef def, CoreItem memory, CoreItem realloc)
      implements CoreItem {
    @Override
    public Sort sort() {
      return Sort.CORE_FUNC;
    }

    FunctionType type() {
      return FunctionType.of(def.params(), def.results());
    }
  }
}
