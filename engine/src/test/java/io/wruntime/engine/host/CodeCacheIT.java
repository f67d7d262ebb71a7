package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiled code kept on disk: a second loader with the same directory (an engine restart) loads the
 * module's classes instead of compiling, and a damaged entry is found, deleted and compiled again,
 * the module working every time.
 */
class CodeCacheIT {
  private static final ModuleDefinition DEF =
      TestGuests.definition("snapshot_state", ExecutionMode.COMPILED);

  private static LoadedModule load(CodeCache cache, ModuleDefinition def) throws Exception {
    WasiHttpModuleLoader loader =
        new WasiHttpModuleLoader(
            TestGuests.NO_OUTBOUND, OpenTelemetry.noop().getTracer("test"), cache);
    return loader.loadModule(def);
  }

  private static void assertWorks(LoadedModule module) throws Exception {
    assertThat(module.call(module.newContext("-"), "scribble")[0]).isEqualTo(43);
  }

  private static List<Path> entries(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".code")).toList();
    }
  }

  @Test
  void aSecondLoaderWithTheSameDirectoryDoesNotCompile(@TempDir Path dir) throws Exception {
    CodeCache first = CodeCache.open(dir);
    assertWorks(load(first, DEF));
    assertThat(first.misses()).isOne();
    assertThat(first.stored()).isOne();
    assertThat(entries(dir)).hasSize(1);

    CodeCache restarted = CodeCache.open(dir);
    assertWorks(load(restarted, DEF));
    assertThat(restarted.hits()).isOne();
    assertThat(restarted.misses()).isZero();
    assertThat(restarted.stored()).isZero();
  }

  @Test
  void aCorruptedEntryIsRecompiled(@TempDir Path dir) throws Exception {
    load(CodeCache.open(dir), DEF);
    Path entry = entries(dir).get(0);
    byte[] bytes = Files.readAllBytes(entry);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(entry, bytes);

    CodeCache cache = CodeCache.open(dir);
    LoadedModule module = load(cache, DEF);
    assertWorks(module);
    assertThat(cache.rejected()).isOne();
    assertThat(cache.hits()).isZero();
    assertThat(cache.stored()).as("the entry is written again").isOne();

    CodeCache after = CodeCache.open(dir);
    assertWorks(load(after, DEF));
    assertThat(after.hits()).isOne();
  }

  @Test
  void aTruncatedEntryIsRecompiled(@TempDir Path dir) throws Exception {
    load(CodeCache.open(dir), DEF);
    Path entry = entries(dir).get(0);
    byte[] bytes = Files.readAllBytes(entry);
    Files.write(entry, java.util.Arrays.copyOf(bytes, bytes.length / 3));

    CodeCache cache = CodeCache.open(dir);
    assertWorks(load(cache, DEF));
    assertThat(cache.rejected()).isOne();
    assertThat(cache.stored()).isOne();
  }

  @Test
  void anotherModuleOrSettingHasAnotherEntry(@TempDir Path dir) throws Exception {
    CodeCache cache = CodeCache.open(dir);
    load(cache, DEF);
    load(cache, TestGuests.definition("minimal", ExecutionMode.COMPILED));
    assertThat(cache.hits()).isZero();
    assertThat(entries(dir)).hasSize(2);
    assertThat(cache.entry("interpreter-fallback=SILENT", "sha256:x"))
        .isNotEqualTo(cache.entry("interpreter-fallback=FAIL", "sha256:x"))
        .isNotEqualTo(cache.entry("interpreter-fallback=SILENT", "sha256:y"));
  }

  @Test
  void interpretedModulesAndADisabledCacheWriteNothing(@TempDir Path dir) throws Exception {
    CodeCache cache = CodeCache.open(dir);
    assertWorks(load(cache, TestGuests.definition("snapshot_state", ExecutionMode.INTERPRETED)));
    assertThat(entries(dir)).isEmpty();
    assertWorks(load(CodeCache.disabled(), DEF));
    assertThat(CodeCache.open(null).enabled()).isFalse();
  }

  @Test
  void aDirectoryThatCannotBeCreatedDisablesTheCache(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThat(CodeCache.open(file.resolve("code")).enabled()).isFalse();
  }
}
