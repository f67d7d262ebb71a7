package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The loader on component binaries: arbitrary bytes behind the component preamble, and the test
 * components of {@code src/test/components} (when the build made them) with fuzzed byte edits.
 * Loading either succeeds or fails with a {@link ModuleLoadException} naming the module; no other
 * exception or error escapes, and nothing allocates from a hostile length.
 */
class ComponentLoaderFuzzTest {
  private static final Path COMPONENTS = Path.of("target", "test-components");
  private static final long MAX_MEMORY = 16L << 20;
  private static final Duration INITIALIZE_TIMEOUT = Duration.ofMillis(500);
  private static final byte[] PREAMBLE = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};

  private static final List<byte[]> components = new ArrayList<>();
  private static Path dir;
  private static WasiHttpModuleLoader loader;

  @BeforeAll
  static void setUp() throws IOException {
    for (String name : List.of("utf16_lowering", "own_resource", "missing_interface", "echo")) {
      Path file = COMPONENTS.resolve(name + ".component.wasm");
      if (Files.exists(file)) {
        components.add(Files.readAllBytes(file));
      }
    }
    loader = new WasiHttpModuleLoader(TestGuests.NO_OUTBOUND);
    dir = Files.createTempDirectory("wr-component-fuzz");
  }

  @AfterAll
  static void tearDown() throws IOException {
    loader.close();
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  @FuzzTest
  void load(FuzzedDataProvider data) throws IOException {
    byte[] wasm;
    if (components.isEmpty() || data.consumeBoolean()) {
      byte[] rest = data.consumeRemainingAsBytes();
      wasm = new byte[PREAMBLE.length + rest.length];
      System.arraycopy(PREAMBLE, 0, wasm, 0, PREAMBLE.length);
      System.arraycopy(rest, 0, wasm, PREAMBLE.length, rest.length);
    } else {
      byte[] original = components.get(data.consumeInt(0, components.size() - 1));
      wasm = ModuleLoaderFuzzTest.mutate(original, data);
    }
    Path file = dir.resolve("fuzz.wasm");
    Files.write(file, wasm);
    ModuleDefinition definition =
        new ModuleDefinition(
            "test",
            "fuzz",
            "1.0.0",
            file,
            Map.of(),
            MAX_MEMORY,
            ExecutionMode.INTERPRETED,
            INITIALIZE_TIMEOUT);
    try {
      GuestModule loaded = loader.load(definition);
      assertThat(loaded.maxMemoryBytes()).isLessThanOrEqualTo(4 * MAX_MEMORY);
    } catch (ModuleLoadException e) {
      assertThat(e.getMessage()).startsWith("module test.fuzz@1.0.0");
    }
  }
}
