package io.wruntime.engine.host;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wasm.types.ValType;
import io.opentelemetry.api.OpenTelemetry;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.blobstore.BlobStores;
import io.wruntime.engine.host.blobstore.WruntimeBlobstore;
import io.wruntime.engine.host.db.WruntimeDb;
import io.wruntime.engine.host.llm.WruntimeLlm;
import io.wruntime.engine.host.tracing.WruntimeTracing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The host's lowering of each wruntime interface is the one its WIT defines: a core module that
 * imports exactly the functions and signatures the engine provides is turned into a component of
 * the package's world by {@code wasm-tools component new}, which refuses any import whose name or
 * signature is not the Canonical ABI's. Needs {@code wasm-tools}; skipped without it.
 */
class WitConformanceIT {
  private static final Path ROOT =
      Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));

  @TempDir Path dir;

  static Stream<Arguments> interfaces() {
    return Stream.of(
        Arguments.of(
            "db",
            "wruntime:db/database@0.1.0",
            WruntimeDb.functions(),
            List.of(
                "query",
                "execute",
                "query-stream",
                "begin-transaction",
                "[method]cursor.columns",
                "[method]cursor.next-batch",
                "[method]transaction.query",
                "[method]transaction.execute",
                "[method]transaction.query-stream",
                "[method]transaction.commit",
                "[method]transaction.rollback",
                "[resource-drop]cursor",
                "[resource-drop]transaction")),
        Arguments.of(
            "blobstore",
            "wruntime:blobstore/store@0.1.0",
            WruntimeBlobstore.functions(new BlobStores()),
            List.of(
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
                "[resource-drop]incoming-object")),
        Arguments.of(
            "tracing",
            "wruntime:tracing/span@0.1.0",
            WruntimeTracing.functions(OpenTelemetry.noop().getTracer("t")),
            List.of(
                "start",
                "start-root",
                "[method]span.set-attribute",
                "[method]span.record-event",
                "[method]span.set-error",
                "[resource-drop]span")),
        Arguments.of(
            "llm",
            "wruntime:llm/inference@0.1.0",
            WruntimeLlm.functions(),
            List.of(
                "complete",
                "complete-stream",
                "[method]completion-stream.next",
                "[resource-drop]completion-stream")));
  }

  @Test
  void everyPackageIsValidWit() throws Exception {
    WasmTools tools = WasmTools.require();
    for (String pkg : List.of("db", "blobstore", "tracing", "llm")) {
      tools.run("component", "wit", ROOT.resolve("wit").resolve(pkg).toString());
    }
  }

  @ParameterizedTest(name = "wruntime:{0}")
  @MethodSource("interfaces")
  void theHostFunctionsAreTheCanonicalAbiLoweringOfTheWit(
      String pkg, String iface, List<HostFunctionDef> functions, List<String> names)
      throws Exception {
    WasmTools tools = WasmTools.require();
    assertThat(functions)
        .extracting(HostFunctionDef::name)
        .containsExactlyInAnyOrderElementsOf(names);
    String imports =
        functions.stream()
            .map(
                f ->
                    "  (import \""
                        + iface
                        + "\" \""
                        + f.name()
                        + "\" (func (param "
                        + types(f.params())
                        + ")"
                        + (f.results().isEmpty() ? "" : " (result " + types(f.results()) + ")")
                        + "))")
            .collect(Collectors.joining("\n"));
    Path core = dir.resolve("core.wat");
    Files.writeString(
        core,
        "(module\n"
            + imports
            + "\n  (memory (export \"memory\") 1)\n"
            + "  (func (export \"cabi_realloc\") (param i32 i32 i32 i32) (result i32)"
            + " i32.const 0))\n");
    Path embedded = dir.resolve("core.wasm");
    tools.run(
        "component",
        "embed",
        ROOT.resolve("wit").resolve(pkg).toString(),
        "--world",
        pkg,
        core.toString(),
        "-o",
        embedded.toString());
    Path component = dir.resolve("component.wasm");
    tools.run("component", "new", embedded.toString(), "-o", component.toString());
    assertThat(tools.run("component", "wit", component.toString()))
        .contains("import " + iface.substring(0, iface.indexOf('@')) + "@0.1.0;");
  }

  private static String types(List<ValType> types) {
    return types.stream()
        .map(t -> t.toString().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(" "));
  }
}
