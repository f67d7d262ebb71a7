package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import io.wruntime.engine.host.snapshot.InstanceSnapshot;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A reused instance and data segments: an instance whose request dropped a passive segment cannot
 * be reset (the segment cannot be brought back), one that only used it can; active segments, which
 * the snapshot already holds, do not stop a reset.
 */
class SnapshotDataSegmentTest {
  private static final String WAT =
      """
      (module
        (memory (export "memory") 1)
        (data (i32.const 0) "active")
        (data $passive "passive")
        (func (export "init") (memory.init $passive (i32.const 100) (i32.const 0) (i32.const 7)))
        (func (export "drop") (data.drop $passive))
        (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))
      """;

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void anInstanceThatDroppedAPassiveSegmentIsNotReset(ExecutionMode mode, @TempDir Path dir)
      throws Exception {
    Path source = dir.resolve("segments.wat");
    Path wasm = dir.resolve("segments.wasm");
    Files.writeString(source, WAT);
    WasmTools.require().run("parse", source.toString(), "-o", wasm.toString());
    ModuleDefinition def = TestGuests.definition("memory_ops", mode, 1L << 20);
    CompiledModule compiled = CompiledModule.compile(def, Parser.parse(wasm));
    Instance first = compiled.instanceBuilder(ImportValues.empty()).build();
    first.initialize(false);
    InstanceSnapshot snapshot = InstanceSnapshot.capture(first);

    Instance used = restored(compiled, snapshot);
    used.export("init").apply();
    assertThat(used.export("load").apply(100)[0]).isEqualTo('p');
    assertThat(snapshot.reset(used)).as("memory.init only").isTrue();
    assertThat(used.export("load").apply(100)[0]).as("back to the image").isZero();
    assertThat(used.export("load").apply(0)[0]).isEqualTo('a');

    Instance dropped = restored(compiled, snapshot);
    dropped.export("drop").apply();
    assertThat(snapshot.reset(dropped)).as("a dropped passive segment").isFalse();
  }

  private static Instance restored(CompiledModule compiled, InstanceSnapshot snapshot) {
    Instance instance = snapshot.prepare(compiled.instanceBuilder(ImportValues.empty())).build();
    instance.initialize(false);
    snapshot.restore(instance);
    return instance;
  }
}
