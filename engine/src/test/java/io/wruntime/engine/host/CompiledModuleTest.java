package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.nio.file.Files;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The instances every module runs in: Chicory's ByteArrayMemory, capped at the module's limit, with
 * data segments in place, growth refused at the limit and accesses past the end trapping, compiled
 * and interpreted alike.
 */
class CompiledModuleTest {
  private static final int PAGE = 64 * 1024;

  private static CompiledModule compile(ExecutionMode mode, long maxMemory) throws Exception {
    ModuleDefinition def = TestGuests.definition("memory_ops", mode, maxMemory);
    WasmModule module = Parser.parse(Files.readAllBytes(def.wasmPath()));
    return CompiledModule.compile(def, module);
  }

  private static Instance instance(CompiledModule compiled) {
    Instance instance = compiled.instanceBuilder(ImportValues.empty()).build();
    instance.initialize(false);
    return instance;
  }

  private static int call(Instance instance, String export, long... args) {
    long[] result = instance.export(export).apply(args);
    return result == null || result.length == 0 ? 0 : (int) result[0];
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void memoryIsByteArrayMemoryWithTheDataSegmentsInPlace(ExecutionMode mode) throws Exception {
    Instance instance = instance(compile(mode, 3L * PAGE));

    assertThat(instance.memory()).isInstanceOf(ByteArrayMemory.class);
    assertThat(call(instance, "load", 16)).isEqualTo(42);
    call(instance, "store", PAGE - 4, 7);
    assertThat(call(instance, "load", PAGE - 4)).isEqualTo(7);
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void growthStopsAtTheModulesLimit(ExecutionMode mode) throws Exception {
    CompiledModule compiled = compile(mode, 3L * PAGE + 100);
    assertThat(compiled.memoryLimits().maximumPages()).isEqualTo(3);
    assertThat(compiled.maxMemoryBytes()).isEqualTo(3L * PAGE);
    Instance instance = instance(compiled);

    assertThat(call(instance, "grow", 2)).isEqualTo(1);
    assertThat(call(instance, "grow", 1)).isEqualTo(-1);
    assertThat(call(instance, "size")).isEqualTo(3);
    call(instance, "store", 3 * PAGE - 4, 9);
    assertThat(call(instance, "load", 3 * PAGE - 4)).isEqualTo(9);
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void accessPastTheEndTraps(ExecutionMode mode) throws Exception {
    Instance instance = instance(compile(mode, 2L * PAGE));

    assertThatThrownBy(() -> call(instance, "load", PAGE - 2))
        .isInstanceOf(ChicoryException.class)
        .hasMessageContaining("out of bounds memory access");
    assertThatThrownBy(() -> call(instance, "store", PAGE, 1))
        .isInstanceOf(ChicoryException.class)
        .hasMessageContaining("out of bounds memory access");
    call(instance, "grow", 1);
    call(instance, "store", PAGE, 1);
    assertThat(call(instance, "load", PAGE)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void aLimitBelowTheDeclaredInitialMemoryIsALoadError(ExecutionMode mode) {
    assertThatThrownBy(() -> compile(mode, PAGE - 1))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessage(
            "module test.memory-ops@1.0.0 declares an initial memory of 1 pages (65536 bytes),"
                + " above its memory limit of 65535 bytes (expected: a larger limit, or a module"
                + " that starts smaller)");
  }
}
