package io.wruntime.engine.host;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The module loader on mutated modules: real modules built from source by this build (the example
 * {@code echo} and small test guests of {@code src/test/guests}) with fuzzed byte edits. Loading
 * either succeeds or fails with a {@link ModuleLoadException} naming the module; no other exception
 * or error escapes, and no load hangs (a spinning {@code _initialize} is stopped by the loader's
 * timeout).
 */
class ModuleLoaderFuzzTest {
  private static final Path ROOT =
      Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
  private static final long MAX_MEMORY = 16L << 20;
  private static final Duration INITIALIZE_TIMEOUT = Duration.ofMillis(500);

  /** Small modules, cheap to load, mutated most of the time. */
  private static List<byte[]> small;

  /** The example echo (SDK, wasi:http and preview 1 imports, _initialize): one input in 16. */
  private static byte[] echo;

  private static Path dir;
  private static final WasiHttpModuleLoader LOADER =
      new WasiHttpModuleLoader(TestGuests.NO_OUTBOUND);

  @BeforeAll
  static void readModules() throws IOException {
    List<byte[]> modules = new ArrayList<>();
    for (String guest :
        List.of("minimal", "init_trap", "no_handler", "unknown_import", "wrong_signature")) {
      modules.add(Files.readAllBytes(TestGuests.path(guest)));
    }
    small = List.copyOf(modules);
    echo = Files.readAllBytes(ROOT.resolve("examples/echo/echo.wasm"));
    dir = Files.createTempDirectory("wr-loader-fuzz");
  }

  @AfterAll
  static void removeDirectory() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  @FuzzTest
  void load(FuzzedDataProvider data) throws IOException {
    int pick = data.consumeInt(0, 15);
    byte[] original = pick == 15 ? echo : small.get(pick % small.size());
    // Compiling to bytecode costs a hundred times more than interpreting: one input in 16.
    ExecutionMode mode =
        data.consumeInt(0, 15) == 0 ? ExecutionMode.COMPILED : ExecutionMode.INTERPRETED;
    byte[] wasm = mutate(original, data);
    Path file = dir.resolve("fuzz.wasm");
    Files.write(file, wasm);
    ModuleDefinition definition =
        new ModuleDefinition(
            "test", "fuzz", "1.0.0", file, Map.of(), MAX_MEMORY, mode, INITIALIZE_TIMEOUT);
    try {
      LoadedModule loaded = LOADER.loadModule(definition);
      assertThat(loaded.maxMemoryBytes()).isLessThanOrEqualTo(MAX_MEMORY);
    } catch (ModuleLoadException e) {
      assertThat(e.getMessage()).startsWith("module test.fuzz@1.0.0");
    }
  }

  /** Applies 1 to 8 edits: overwritten bytes, a large LEB128 number, deletions, insertions. */
  static byte[] mutate(byte[] original, FuzzedDataProvider data) {
    byte[] wasm = original.clone();
    int edits = data.consumeInt(1, 8);
    for (int i = 0; i < edits && data.remainingBytes() > 0; i++) {
      int at = data.consumeInt(0, wasm.length - 1);
      switch (data.consumeInt(0, 4)) {
        case 0 -> wasm[at] = data.consumeByte();
        case 1 -> {
          byte[] leb = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
          System.arraycopy(leb, 0, wasm, at, Math.min(leb.length, wasm.length - at));
        }
        case 2 -> {
          int end = Math.min(wasm.length, at + data.consumeInt(1, 64));
          byte[] shorter = new byte[wasm.length - (end - at)];
          System.arraycopy(wasm, 0, shorter, 0, at);
          System.arraycopy(wasm, end, shorter, at, wasm.length - end);
          wasm = shorter;
        }
        case 3 -> {
          byte[] insert = data.consumeBytes(data.consumeInt(1, 16));
          byte[] longer = new byte[wasm.length + insert.length];
          System.arraycopy(wasm, 0, longer, 0, at);
          System.arraycopy(insert, 0, longer, at, insert.length);
          System.arraycopy(wasm, at, longer, at + insert.length, wasm.length - at);
          wasm = longer;
        }
        default -> wasm = Arrays.copyOf(wasm, Math.max(at, 8));
      }
      if (wasm.length == 0) {
        return wasm;
      }
    }
    return wasm;
  }
}
