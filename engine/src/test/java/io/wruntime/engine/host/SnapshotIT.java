package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.host.snapshot.InstanceSnapshot.MemoryKind;
import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Instances started from the snapshot taken after {@code _initialize} (snapshot_state.wat): every
 * request sees the post-initialize memory, globals and tables, and nothing an earlier request
 * changed; the memory limit still holds.
 */
class SnapshotIT {
  private static final int PAGE = 64 * 1024;

  private static int call(LoadedModule module, String export, long... args) throws Exception {
    return (int) module.call(module.newContext("-"), export, args)[0];
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void everyRequestStartsFromThePostInitializeState(ExecutionMode mode) throws Exception {
    LoadedModule module = TestGuests.load("snapshot_state", mode);

    assertThat(module.snapshot()).isNotNull();
    for (int request = 0; request < 3; request++) {
      assertThat(call(module, "init_runs")).as("_initialize ran once, before the snapshot").isOne();
      assertThat(call(module, "global")).isEqualTo(100);
      assertThat(call(module, "size")).isEqualTo(2);
      assertThat(call(module, "load", PAGE + 4)).isEqualTo(77);
      assertThat(call(module, "load", 16)).isEqualTo(42);
      assertThat(call(module, "slot", 0)).isEqualTo(1);
      assertThat(call(module, "slot", 1)).isEqualTo(2);
      // Changes memory, the global, both table slots and the size; the next request sees none.
      assertThat(call(module, "scribble")).isEqualTo(43);
      assertThat(module.idleInstances()).as("one instance, reset and reused").isOne();
    }
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void anInstanceWhoseCallTrappedOrGrewATableIsNotReused(ExecutionMode mode) throws Exception {
    LoadedModule module = TestGuests.load("snapshot_state", mode);
    assertThat(call(module, "scribble")).isEqualTo(43);
    assertThat(module.idleInstances()).isOne();

    assertThatThrownBy(() -> module.call(module.newContext("-"), "trap"))
        .isInstanceOf(GuestException.class)
        .hasMessageContaining("unreachable");
    assertThat(module.idleInstances()).as("the trapped instance was discarded").isZero();
    assertThat(call(module, "load", 16)).isEqualTo(42);
    assertThat(module.idleInstances()).isOne();

    assertThat(call(module, "grow_table")).isEqualTo(2);
    assertThat(module.idleInstances()).as("a table cannot shrink: discarded").isZero();
    assertThat(call(module, "table_size")).isEqualTo(2);
    assertThat(call(module, "slot", 1)).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void anInterruptedInstanceIsNotReused(ExecutionMode mode) throws Exception {
    LoadedModule module = TestGuests.load("snapshot_state", mode);
    assertThat(call(module, "scribble")).isEqualTo(43);
    assertThat(module.idleInstances()).isOne();

    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread spinner =
        new Thread(
            () -> {
              try {
                module.call(module.newContext("-"), "spin");
              } catch (Throwable e) {
                failure.set(e);
              }
            });
    spinner.start();
    while (module.idleInstances() != 0) {
      Thread.onSpinWait(); // the spinning call took the idle instance
    }
    spinner.interrupt();
    spinner.join(java.time.Duration.ofSeconds(30));

    assertThat(spinner.isAlive()).isFalse();
    assertThat(failure.get())
        .isInstanceOf(GuestException.class)
        .hasMessageContaining("interrupted");
    assertThat(module.idleInstances()).as("the interrupted instance was discarded").isZero();
    assertThat(call(module, "load", 16)).isEqualTo(42);
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void aModuleGrowingOnePageAtATimeMovesToCopyOnWriteInstances(ExecutionMode mode)
      throws Exception {
    LoadedModule module = TestGuests.load("snapshot_state", mode);
    assertThat(module.snapshot().memoryKind()).isEqualTo(MemoryKind.CONTIGUOUS);
    assertThat(call(module, "grow", 30)).as("one large step").isEqualTo(2);
    assertThat(module.idleInstances()).isOne();
    assertThat(module.snapshot().memoryKind()).isEqualTo(MemoryKind.CONTIGUOUS);

    // Steps of one page up to the 2 MiB limit (32 pages), each copying the whole memory.
    assertThat(call(module, "grow_each", 40)).isEqualTo(32);

    assertThat(module.idleInstances()).as("that instance was not reused").isZero();
    assertThat(module.snapshot().memoryKind()).isEqualTo(MemoryKind.COPY_ON_WRITE);
    assertThat(call(module, "size")).isEqualTo(2);
    assertThat(call(module, "load", PAGE + 4)).isEqualTo(77);
    assertThat(call(module, "grow_each", 40)).isEqualTo(32);
    assertThat(module.idleInstances()).as("copy-on-write instances are reused").isOne();
    assertThat(call(module, "size")).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void growthBeyondTheLimitStillFails(ExecutionMode mode) throws Exception {
    LoadedModule module =
        new WasiHttpModuleLoader(TestGuests.NO_OUTBOUND)
            .loadModule(TestGuests.definition("snapshot_state", mode, 3L * PAGE));
    assertThat(module.snapshot()).isNotNull();

    assertThat(call(module, "grow", 1)).isEqualTo(2);
    assertThat(call(module, "grow", 2)).isEqualTo(-1);
    assertThat(call(module, "load", 2L * PAGE - 4)).isZero();
    assertThatThrownBy(() -> call(module, "load", 2L * PAGE))
        .isInstanceOf(GuestException.class)
        .hasMessageContaining("out of bounds memory access");
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void anInitializeThatKeepsAHostResourceRunsInEveryRequest(ExecutionMode mode) throws Exception {
    LoadedModule module = TestGuests.load("init_resource", mode);

    assertThat(module.snapshot()).isNull();
    for (int request = 0; request < 2; request++) {
      assertThat(call(module, "init_runs")).isOne();
      assertThat(call(module, "stdout_handle")).isPositive();
    }
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void aModuleWithAStartFunctionRunsItAndInitializeInEveryRequest(ExecutionMode mode)
      throws Exception {
    LoadedModule module = TestGuests.load("start_function", mode);

    assertThat(module.snapshot()).isNull();
    for (int request = 0; request < 2; request++) {
      assertThat(call(module, "start_runs")).isOne();
      assertThat(call(module, "init_runs")).isOne();
    }
  }
}
