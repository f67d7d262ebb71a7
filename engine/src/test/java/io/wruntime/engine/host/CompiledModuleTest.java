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
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

  /**
   * A module with one function too large for a JVM method (Chicory's compiler leaves it to its
   * interpreter) calling a small compiled one 20,000 times.
   */
  private static WasmModule hugeAndSmall(Path dir) throws Exception {
    StringBuilder wat = new StringBuilder();
    wat.append("(module (memory (export \"memory\") 1)\n");
    wat.append("  (func $small (export \"small\") (param i32) (result i32)");
    wat.append(" (i32.add (local.get 0) (i32.const 1)))\n");
    wat.append("  (func (export \"huge\") (param i32) (result i32)\n");
    for (int i = 0; i < 20_000; i++) {
      wat.append("    (local.set 0 (call $small (local.get 0))) (drop (local.get 0))\n");
    }
    wat.append("    (local.get 0)))\n");
    Path source = dir.resolve("huge.wat");
    Path out = dir.resolve("huge.wasm");
    Files.writeString(source, wat);
    WasmTools.require().run("parse", source.toString(), "-o", out.toString());
    return Parser.parse(Files.readAllBytes(out));
  }

  @Test
  void compiledFunctionsDropTheirParsedBodiesAndTheInterpretedOneStillRuns(@TempDir Path dir)
      throws Exception {
    WasmModule parsed = hugeAndSmall(dir);
    ModuleDefinition def = TestGuests.definition("memory_ops", ExecutionMode.COMPILED, 2L * PAGE);
    CompiledModule compiled = CompiledModule.compile(def, parsed);

    // The small function's 4 instructions are gone; the huge one's body is kept for the
    // interpreter.
    assertThat(compiled.module().codeSection().getFunctionBody(0).instructions())
        .hasSizeLessThan(parsed.codeSection().getFunctionBody(0).instructions().size());
    assertThat(compiled.module().codeSection().getFunctionBody(1))
        .isSameAs(parsed.codeSection().getFunctionBody(1));
    Instance instance = instance(compiled);
    assertThat(call(instance, "small", 1)).isEqualTo(2);
    assertThat(call(instance, "huge", 5)).isEqualTo(20_005);
  }

  @Test
  void aCachedModuleWithAnInterpretedFunctionRunsItValidated(@TempDir Path dir) throws Exception {
    hugeAndSmall(dir);
    byte[] bytes = Files.readAllBytes(dir.resolve("huge.wasm"));
    ModuleDefinition def = TestGuests.definition("memory_ops", ExecutionMode.COMPILED, 2L * PAGE);
    CompiledModule.parseAndCompilePart(def, bytes, CodeCache.open(dir.resolve("code")));

    CodeCache restarted = CodeCache.open(dir.resolve("code"));
    CompiledModule cached = CompiledModule.parseAndCompilePart(def, bytes, restarted);
    assertThat(restarted.hits()).isOne();
    assertThat(call(instance(cached), "huge", 5)).isEqualTo(20_005);
  }

  @Test
  void anInterpretedModuleKeepsEveryBody(@TempDir Path dir) throws Exception {
    WasmModule parsed = hugeAndSmall(dir);
    ModuleDefinition def =
        TestGuests.definition("memory_ops", ExecutionMode.INTERPRETED, 2L * PAGE);
    CompiledModule compiled = CompiledModule.compile(def, parsed);

    assertThat(compiled.module()).isSameAs(parsed);
    assertThat(call(instance(compiled), "huge", 5)).isEqualTo(20_005);
  }

  private static byte[] wat(Path dir, String name, String wat) throws Exception {
    Path source = dir.resolve(name + ".wat");
    Path out = dir.resolve(name + ".wasm");
    Files.writeString(source, wat);
    WasmTools.require().run("parse", source.toString(), "-o", out.toString());
    return Files.readAllBytes(out);
  }

  @Test
  void aModuleWhoseCodeIsCachedLoadsFromTheCacheAndADamagedEntryIsValidatedAndCompiled(
      @TempDir Path dir) throws Exception {
    byte[] bytes = Files.readAllBytes(TestGuests.path("memory_ops"));
    ModuleDefinition def = TestGuests.definition("memory_ops", ExecutionMode.COMPILED, 2L * PAGE);
    CodeCache first = CodeCache.open(dir.resolve("code"));
    CompiledModule.parseAndCompilePart(def, bytes, first);
    assertThat(first.stored()).isOne();

    CodeCache restarted = CodeCache.open(dir.resolve("code"));
    Instance instance = instance(CompiledModule.parseAndCompilePart(def, bytes, restarted));
    assertThat(restarted.hits()).isOne();
    assertThat(call(instance, "load", 16)).isEqualTo(42);

    try (var entries = Files.list(dir.resolve("code"))) {
      Path entry = entries.findFirst().orElseThrow();
      byte[] damaged = Files.readAllBytes(entry);
      damaged[damaged.length / 2] ^= 0x5a;
      Files.write(entry, damaged);
    }
    CodeCache again = CodeCache.open(dir.resolve("code"));
    instance = instance(CompiledModule.parseAndCompilePart(def, bytes, again));
    assertThat(again.rejected()).isOne();
    assertThat(again.stored()).as("compiled and written again").isOne();
    assertThat(call(instance, "load", 16)).isEqualTo(42);
  }

  @Test
  void anEntryPlantedForAModuleThatDoesNotValidateDoesNotLetItThrough(@TempDir Path dir)
      throws Exception {
    byte[] invalid = wat(dir, "invalid", "(module (func (export \"f\") (result i32)))");
    ModuleDefinition def = TestGuests.definition("memory_ops", ExecutionMode.COMPILED, 2L * PAGE);
    CodeCache cache = CodeCache.open(dir.resolve("code"));
    cache
        .forCompiler(CompiledModule.COMPILER_SETTINGS)
        .putIfAbsent(CompiledModule.digest(invalid), new byte[] {1, 2, 3});

    assertThatThrownBy(() -> CompiledModule.parseAndCompilePart(def, invalid, cache))
        .isInstanceOf(CompiledModule.InvalidModule.class)
        .hasMessageContaining("type mismatch");
  }
}
