package io.wruntime.engine.host.blobstore;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.host.abi.HostFunctionDef;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's lowering of {@code wruntime:blobstore} is the one the WIT defines: a core module that
 * imports exactly the functions and signatures of {@link WruntimeBlobstore#functions} is turned
 * into a component of the world {@code wruntime:blobstore/blobstore} by {@code wasm-tools component
 * new}, which refuses any import whose name or signature is not the Canonical ABI's. Needs {@code
 * wasm-tools} (on the PATH, or {@code WASM_TOOLS}); skipped without it.
 */
class BlobstoreWitConformanceIT {
  private static final Path ROOT =
      Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));

  @TempDir Path dir;

  private static Path wasmTools() {
    String configured = System.getenv("WASM_TOOLS");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(entry, "wasm-tools");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    assertThat(exit).as("%s failed:%n%s", String.join(" ", command), output).isZero();
    return output;
  }

  private static String types(List<ValType> types) {
    return types.stream()
        .map(t -> t.toString().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(" "));
  }

  @Test
  void theHostFunctionsAreTheCanonicalAbiLoweringOfTheWit() throws Exception {
    Path tools = wasmTools();
    Assumptions.assumeTrue(tools != null, "wasm-tools not found (PATH or WASM_TOOLS)");
    List<String> imports = new ArrayList<>();
    List<HostFunctionDef> functions = WruntimeBlobstore.functions(new BlobStores());
    assertThat(functions)
        .extracting(HostFunctionDef::name)
        .containsExactlyInAnyOrder(
            "put",
            "get",
            "delete",
            "list",
            "head",
            "[method]outgoing-object.write",
            "[method]outgoing-object.finish",
            "[resource-drop]outgoing-object",
            "[method]incoming-object.meta",
            "[method]incoming-object.read",
            "[resource-drop]incoming-object");
    for (HostFunctionDef f : functions) {
      imports.add(
          "  (import \"wruntime:blobstore/store@0.1.0\" \""
              + f.name()
              + "\" (func (param "
              + types(f.params())
              + ")"
              + (f.results().isEmpty() ? "" : " (result " + types(f.results()) + ")")
              + "))");
    }
    Path core = dir.resolve("core.wat");
    Files.writeString(
        core,
        "(module\n"
            + String.join("\n", imports)
            + "\n  (memory (export \"memory\") 1)\n"
            + "  (func (export \"cabi_realloc\") (param i32 i32 i32 i32) (result i32)"
            + " i32.const 0))\n");
    Path embedded = dir.resolve("core.wasm");
    run(
        List.of(
            tools.toString(),
            "component",
            "embed",
            ROOT.resolve("wit/blobstore").toString(),
            "--world",
            "blobstore",
            core.toString(),
            "-o",
            embedded.toString()));
    Path component = dir.resolve("component.wasm");
    run(
        List.of(
            tools.toString(), "component", "new", embedded.toString(), "-o", component.toString()));
    assertThat(run(List.of(tools.toString(), "component", "wit", component.toString())))
        .contains("import wruntime:blobstore/store@0.1.0;");
  }
}
