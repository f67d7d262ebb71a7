package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.HostInterfaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine provides every function of the stable WASI 0.2.12 interfaces (the newest 0.2 patch;
 * earlier patches declare subsets), with the core signature of its Canonical ABI lowering: {@code
 * wasm-tools component embed --dummy-names legacy} makes a core module importing every function of
 * the world in {@code src/test/wit/wasi-0.2.12} exactly as a component's {@code canon lower} or a
 * wit-bindgen guest imports it, and each import must link as the loader links it. Needs {@code
 * wasm-tools}; skipped without it.
 */
class WasiInterfacesIT {
  private static final Path WIT = Path.of("src", "test", "wit", "wasi-0.2.12");

  /** Where the build installs jco (npm), whose WASI preview 1 adapters components embed. */
  private static final Path JCO =
      Path.of(
          System.getProperty("user.home"),
          ".cache/wruntime/npm/jco/node_modules/@bytecodealliance/jco/lib");

  @TempDir static Path dir;

  private static List<FunctionImport> imports;
  private static WasmModule module;

  @BeforeAll
  static void embed() throws Exception {
    WasmTools tools = WasmTools.require();
    Path dummy = dir.resolve("wasi-0.2.12.wasm");
    tools.run(
        "component",
        "embed",
        "--dummy-names",
        "legacy",
        WIT.toString(),
        "--world",
        "all",
        "-o",
        dummy.toString());
    module = Parser.parse(Files.readAllBytes(dummy));
    imports = new ArrayList<>();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      if (imp instanceof FunctionImport fi) {
        imports.add(fi);
      }
    }
  }

  @Test
  void theWorldImportsEveryWasiInterface() {
    Set<String> interfaces = new TreeSet<>();
    for (FunctionImport fi : imports) {
      interfaces.add(HostInterfaces.interfaceOf(fi.module()));
    }
    assertThat(interfaces)
        .containsExactly(
            "wasi:cli/environment",
            "wasi:cli/exit",
            "wasi:cli/stderr",
            "wasi:cli/stdin",
            "wasi:cli/stdout",
            "wasi:cli/terminal-input",
            "wasi:cli/terminal-output",
            "wasi:cli/terminal-stderr",
            "wasi:cli/terminal-stdin",
            "wasi:cli/terminal-stdout",
            "wasi:clocks/monotonic-clock",
            "wasi:clocks/wall-clock",
            "wasi:filesystem/preopens",
            "wasi:filesystem/types",
            "wasi:http/outgoing-handler",
            "wasi:http/types",
            "wasi:io/error",
            "wasi:io/poll",
            "wasi:io/streams",
            "wasi:random/insecure",
            "wasi:random/insecure-seed",
            "wasi:random/random",
            "wasi:sockets/instance-network",
            "wasi:sockets/ip-name-lookup",
            "wasi:sockets/network",
            "wasi:sockets/tcp",
            "wasi:sockets/tcp-create-socket",
            "wasi:sockets/udp",
            "wasi:sockets/udp-create-socket");
    assertThat(imports).hasSizeGreaterThan(190);
  }

  @Test
  void everyFunctionOfTheWitIsAHostFunctionWithItsCoreSignature() {
    HostInterfaces host = WasiHost.interfaces();
    List<String> missing = new ArrayList<>();
    for (FunctionImport fi : imports) {
      FunctionType expected = module.typeSection().getType(fi.typeIndex());
      Optional<HostFunctionDef> def = host.find(fi.module(), fi.name());
      if (def.isEmpty()) {
        missing.add(fi.module() + "#" + fi.name() + ": not provided");
      } else if (!FunctionType.of(def.get().params(), def.get().results()).equals(expected)) {
        missing.add(
            fi.module()
                + "#"
                + fi.name()
                + ": params "
                + def.get().params()
                + " results "
                + def.get().results()
                + " (expected: params "
                + expected.params()
                + " results "
                + expected.returns()
                + ")");
      }
    }
    assertThat(missing).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"wasi_snapshot_preview1.reactor.wasm", "wasi_snapshot_preview1.command.wasm"})
  void everyWasiImportOfJcosPreview1AdapterLinks(String adapter) throws Exception {
    Path wasm = JCO.resolve(adapter);
    Assumptions.assumeTrue(
        Files.isRegularFile(wasm), "jco is not installed (expected: " + wasm + ")");
    WasmModule parsed = Parser.parse(Files.readAllBytes(wasm));
    HostInterfaces host = WasiHost.interfaces();
    List<String> unlinked = new ArrayList<>();
    int wasi = 0;
    for (int i = 0; i < parsed.importSection().importCount(); i++) {
      if (parsed.importSection().getImport(i) instanceof FunctionImport fi
          && fi.module().startsWith("wasi:")) {
        wasi++;
        FunctionType type = parsed.typeSection().getType(fi.typeIndex());
        Optional<HostFunctionDef> def = host.find(fi.module(), fi.name());
        if (def.isEmpty()
            || !FunctionType.of(def.get().params(), def.get().results()).equals(type)) {
          unlinked.add(fi.module() + "#" + fi.name() + " " + type);
        }
      }
    }
    assertThat(wasi).isGreaterThan(50);
    assertThat(unlinked).isEmpty();
  }

  @Test
  void everyWasiHostFunctionIsAFunctionOfTheWit() {
    Set<String> declared = new TreeSet<>();
    for (FunctionImport fi : imports) {
      declared.add(HostInterfaces.interfaceOf(fi.module()) + "#" + fi.name());
    }
    List<String> extra = new ArrayList<>();
    for (HostFunctionDef def : WasiHost.functions()) {
      String key = def.iface() + "#" + def.name();
      if (!declared.contains(key)) {
        extra.add(key);
      }
    }
    assertThat(extra).isEmpty();
  }
}
