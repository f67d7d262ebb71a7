package io.wruntime.engine.host;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wasm.types.ValType;
import io.opentelemetry.api.OpenTelemetry;
import io.wruntime.engine.host.abi.HostFunctionDef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sdk/c/check-imports.sh}, the import checker of the C SDK: it accepts modules built with
 * the SDK's wrappers of the wruntime interfaces, with exactly the functions and signatures the
 * engine provides and the WIT defines, and refuses anything else naming what was expected. Runs the
 * script (bash, wasm-objdump) on guests built from source by this module's build.
 */
class CheckImportsIT {
  private static final Path ROOT =
      Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
  private static final Path SCRIPT = ROOT.resolve("sdk/c/check-imports.sh");
  private static final Path GUESTS = Path.of("target", "test-guests");

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  private static Run run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).start();
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), out, err.join());
  }

  private static Run check(Path... modules) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    for (Path m : modules) {
      command.add(m.toString());
    }
    return run(command);
  }

  /** What the script accepts, as "interface.name :: signature". */
  private static Set<String> accepted() throws Exception {
    Run list = run(List.of("bash", SCRIPT.toString(), "--list"));
    assertThat(list.exit()).as(list.err()).isZero();
    return new TreeSet<>(list.out().lines().toList());
  }

  private static String types(List<ValType> types) {
    return types.stream()
        .map(t -> t.toString().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
  }

  @Test
  void modulesUsingTheSdkWrappersPassAndAreToldTheGrantsTheyNeed() throws Exception {
    Run run = check(GUESTS.resolve("llm.wasm"), GUESTS.resolve("tracing.wasm"));

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out())
        .contains(
            "import wruntime:llm/inference@0.1.0.complete :: (i32, i32, i32, i32, i32, i32, i32,"
                + " i32, i32, i32, f32, i32, i32, i32) -> nil")
        .contains("grants needed: [module.capabilities.llm]\n")
        .contains("grants needed: [module.capabilities.tracing]\n");
  }

  @Test
  void everyWruntimeFunctionTheEngineProvidesIsAcceptedWithItsSignature() throws Exception {
    Set<String> engine = new TreeSet<>();
    for (HostFunctionDef f : WasiHost.interfaces(OpenTelemetry.noop().getTracer("test")).all()) {
      if (f.iface().startsWith("wruntime:")) {
        engine.add(
            f.iface()
                + "."
                + f.name()
                + " :: ("
                + types(f.params())
                + ") -> "
                + (f.results().isEmpty() ? "nil" : types(f.results())));
      }
    }

    assertThat(engine).isNotEmpty();
    assertThat(accepted()).containsAll(engine);
  }

  @Test
  void whatItAcceptsIsExactlyTheCanonicalAbiLoweringOfTheWit() throws Exception {
    Path tools = WasmTools.require().executable();
    Set<String> lowered = new TreeSet<>();
    for (String pkg : List.of("db", "blobstore", "tracing", "llm")) {
      // A core module importing every function of the world, named as the engine links them.
      Path dummy = dir.resolve(pkg + ".wasm");
      Run embed =
          run(
              List.of(
                  tools.toString(),
                  "component",
                  "embed",
                  "--dummy-names",
                  "legacy",
                  ROOT.resolve("wit").resolve(pkg).toString(),
                  "--world",
                  pkg,
                  "-o",
                  dummy.toString()));
      assertThat(embed.exit()).as(embed.err()).isZero();
      Run run = check(dummy);
      // It exports no HTTP handler, the only complaint allowed.
      assertThat(run.err().lines())
          .containsExactly(
              "check-imports: "
                  + dummy
                  + ": missing export wasi:http/incoming-handler@0.2.0#handle");
      assertThat(run.out()).contains("grants needed: [module.capabilities." + pkg + "]\n");
      run.out()
          .lines()
          .filter(l -> l.startsWith("import wruntime:"))
          .map(l -> l.substring("import ".length()).replace("@0.1.0.", "."))
          .forEach(lowered::add);
    }

    assertThat(accepted()).isEqualTo(lowered);
  }

  @Test
  void anythingElseIsRefusedNamingWhatWasExpected() throws Exception {
    Path wat = dir.resolve("bad.wat");
    Files.writeString(
        wat,
        """
        (module
          (import "wruntime:llm/inference@0.1.0" "completee" (func (param i32)))
          (import "wruntime:llm/inference@0.1.0" "complete" (func (param i32)))
          (import "wruntime:llm/inference@0.2.0" "[resource-drop]completion-stream"
            (func (param i32)))
          (import "wruntime:kv/store@0.1.0" "get" (func (param i32)))
          (import "wruntime:tracing/span@0.1.7" "start" (func (param i32 i32 i32)))
          (import "other" "x" (func))
          (memory (export "memory") 1)
          (func (export "_initialize"))
          (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
          (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32)))
        """);
    Path wasm = dir.resolve("bad.wasm");
    Run compile = run(List.of("wat2wasm", wat.toString(), "-o", wasm.toString()));
    assertThat(compile.exit()).as(compile.err()).isZero();

    Run run = check(wasm);

    assertThat(run.exit()).isEqualTo(1);
    String at = "check-imports: " + wasm + ": ";
    assertThat(run.err().lines())
        .containsExactly(
            at
                + "wruntime:llm/inference@0.1.0.completee :: (i32) -> nil: wruntime:llm/inference"
                + " has no function completee (expected one of: complete, complete-stream,"
                + " [method]completion-stream.next, [resource-drop]completion-stream)",
            at
                + "wruntime:llm/inference@0.1.0.complete :: (i32) -> nil: wruntime:llm/inference"
                + " complete has signature (i32) -> nil (expected: (i32, i32, i32, i32, i32, i32,"
                + " i32, i32, i32, i32, f32, i32, i32, i32) -> nil)",
            at
                + "wruntime:llm/inference@0.2.0.[resource-drop]completion-stream :: (i32) -> nil:"
                + " wruntime:llm/inference@0.2.0: version 0.2.0 (expected: 0.1.x)",
            at
                + "wruntime:kv/store@0.1.0.get :: (i32) -> nil: wruntime:kv/store is not a"
                + " wruntime host interface (expected: wruntime:db/database,"
                + " wruntime:blobstore/store, wruntime:tracing/span or wruntime:llm/inference)",
            at
                + "import outside wasi:*@0.2.*, wasi_snapshot_preview1 and wruntime:*@0.1.*:"
                + " other.x :: () -> nil");
    // Every 0.1.x links in the engine, so tracing at 0.1.7 passes.
    assertThat(run.out()).contains("grants needed: [module.capabilities.tracing]\n");
  }
}
