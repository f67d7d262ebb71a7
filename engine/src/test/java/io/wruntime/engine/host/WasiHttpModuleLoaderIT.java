package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.HostGrants;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the loader accepts, and what it says about modules it refuses. */
class WasiHttpModuleLoaderIT {
  private final WasiHttpModuleLoader loader = new WasiHttpModuleLoader(TestGuests.NO_OUTBOUND);

  private static ModuleDefinition definition(Path wasm) {
    return new ModuleDefinition(
        "example", "bad", "1.0.0", wasm, Map.of(), 10 * 1024 * 1024, ExecutionMode.COMPILED);
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void loadsAHandlerAndFindsItsExport(ExecutionMode mode) throws Exception {
    GuestModule module = loader.load(TestGuests.definition("minimal", mode));

    assertThat(module.definition().label()).isEqualTo("test.minimal@1.0.0");
    assertThat(((LoadedModule) module).handleExport())
        .isEqualTo("wasi:http/incoming-handler@0.2.10#handle");
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path wasm = dir.resolve("nope.wasm");

    assertThatThrownBy(() -> loader.load(definition(wasm)))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessage(
            "module example.bad@1.0.0: " + wasm + " does not exist (expected: a .wasm file)");
  }

  @Test
  void malformedBinaryIsNotAValidModule(@TempDir Path dir) throws Exception {
    Path wasm = dir.resolve("bad.wasm");
    Files.writeString(wasm, "this is not wasm");

    assertThatThrownBy(() -> loader.load(definition(wasm)))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessageStartingWith(
            "module example.bad@1.0.0: " + wasm + " is not a valid WebAssembly module: ");
  }

  @Test
  void aComponentImportingAnUngrantedInterfaceIsRefusedLikeACoreModule(@TempDir Path dir)
      throws Exception {
    // A real component, made by wasm-tools from the wruntime:tracing world (skipped without it):
    // the loader runs components, and checks their imports' grants as it does a core module's.
    WasmTools tools = WasmTools.require();
    Path core = dir.resolve("core.wasm");
    tools.run(
        "component",
        "embed",
        "--dummy",
        Path.of(System.getProperty("wr.root"), "wit", "tracing").toString(),
        "--world",
        "tracing",
        "-o",
        core.toString());
    Path component = dir.resolve("component.wasm");
    tools.run("component", "new", core.toString(), "-o", component.toString());

    assertThatThrownBy(() -> loader.load(definition(component)))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessage(
            "module example.bad@1.0.0 imports wruntime:tracing/span@0.1.0#[resource-drop]span but"
                + " is not granted wruntime:tracing (expected: [module.capabilities.tracing] in its"
                + " [[module]] entry)");
  }

  @Test
  void aCoreModuleHeaderIsNotAComponent() {
    byte[] core = {0, 'a', 's', 'm', 1, 0, 0, 0};
    byte[] component = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};
    assertThat(WasiHttpModuleLoader.isComponent(core)).isFalse();
    assertThat(WasiHttpModuleLoader.isComponent(component)).isTrue();
    assertThat(WasiHttpModuleLoader.isComponent(new byte[] {0, 'a', 's', 'm'})).isFalse();
  }

  @Test
  void moduleWithoutTheHandlerExportIsRefusedWithWhatItExports() {
    Path wasm = TestGuests.path("no_handler");

    assertThatThrownBy(() -> loader.load(definition(wasm)))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessage(
            "module example.bad@1.0.0: "
                + wasm
                + " does not export wasi:http/incoming-handler@0.2.N#handle (expected: a function"
                + " (i32, i32) -> () for some patch version N; it exports: _initialize, memory,"
                + " run)");
  }

  @Test
  void unknownImportIsNamedWithTheSupportedInterfaces() {
    assertThatThrownBy(() -> loader.load(definition(TestGuests.path("unknown_import"))))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessageStartingWith(
            "module example.bad@1.0.0 imports acme:rockets/launch@1.0.0#fire, which the engine"
                + " does not provide: interface acme:rockets/launch@1.0.0 is not provided"
                + " (supported: wasi:cli/environment, wasi:cli/exit, ")
        .hasMessageContaining("wasi:io/streams, ")
        .hasMessageEndingWith(
            " at versions 0.2.x, wruntime:blobstore/store, wruntime:db/database,"
                + " wruntime:llm/inference, wruntime:tracing/span at versions 0.1.x when granted,"
                + " and wasi_snapshot_preview1)");
  }

  @Test
  void anUnsupportedVersionOfAWruntimeInterfaceIsNamed() {
    // wruntime interfaces are at 0.1: a 0.2 import does not link even when granted.
    Path wasm = TestGuests.path("tracing_future");
    ModuleDefinition granted =
        new ModuleDefinition(
            "example",
            "bad",
            "1.0.0",
            wasm,
            Map.of(),
            TestGuests.MAX_MEMORY,
            ExecutionMode.INTERPRETED,
            ModuleDefinition.DEFAULT_INITIALIZE_TIMEOUT,
            new HostGrants(Set.of(HostGrants.Capability.TRACING), 10));

    assertThatThrownBy(() -> loader.load(granted))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessageStartingWith(
            "module example.bad@1.0.0 imports wruntime:tracing/span@0.2.0#[resource-drop]span,"
                + " which the engine does not provide: version 0.2.0 of wruntime:tracing/span is"
                + " not supported (expected: 0.1.x)");
  }

  @Test
  void unsupportedVersionOfAKnownInterfaceIsNamed() {
    assertThatThrownBy(() -> loader.load(definition(TestGuests.path("future_version"))))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessageStartingWith(
            "module example.bad@1.0.0 imports wasi:io/poll@0.3.0#[method]pollable.ready, which"
                + " the engine does not provide: version 0.3.0 of wasi:io/poll is not supported"
                + " (expected: 0.2.x)");
  }

  @Test
  void unknownPreview1FunctionIsNamed() {
    assertThatThrownBy(() -> loader.load(definition(TestGuests.path("unknown_preview1"))))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessageStartingWith(
            "module example.bad@1.0.0 imports wasi_snapshot_preview1#fd_frobnicate, which the"
                + " engine does not provide: wasi_snapshot_preview1 has no function fd_frobnicate");
  }

  @Test
  void importWithTheWrongTypeShowsExpectedAndFound() {
    assertThatThrownBy(() -> loader.load(definition(TestGuests.path("wrong_signature"))))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessage(
            "module example.bad@1.0.0 imports wasi:random/random@0.2.0#get-random-u64 with type"
                + " () -> (i32) (expected: () -> (i64))");
  }

  @Test
  void importedMemoryIsRefused() {
    assertThatThrownBy(() -> loader.load(definition(TestGuests.path("imported_memory"))))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessage(
            "module example.bad@1.0.0 imports memory env#memory, which the engine does not"
                + " provide (expected: only function imports; a module defines its own memory,"
                + " tables and globals)");
  }

  @Test
  void initialMemoryAboveTheLimitIsRefused() {
    ModuleDefinition def = TestGuests.definition("big_memory", ExecutionMode.COMPILED, 1024 * 1024);

    assertThatThrownBy(() -> loader.load(def))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessage(
            "module test.big-memory@1.0.0 declares an initial memory of 64 pages (4194304 bytes),"
                + " above its memory limit of 1048576 bytes (expected: a larger limit, or a module"
                + " that starts smaller)");
  }
}
