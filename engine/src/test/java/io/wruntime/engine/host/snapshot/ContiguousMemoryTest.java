package io.wruntime.engine.host.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Contiguous memories over an image: every kind of write is undone by a reset, growth is undone and
 * budgeted, the limits and traps hold.
 */
class ContiguousMemoryTest {
  private static final int PAGE = Memory.PAGE_SIZE;
  private static final int BLOCK = CopyOnWriteMemory.BLOCK_SIZE;
  private static final MemoryLimits LIMITS = new MemoryLimits(1, 6);

  /** Three pages: a pattern in the first block of each page, the rest zeros. */
  private static MemoryImage image() {
    CopyOnWriteMemory source = new CopyOnWriteMemory(LIMITS);
    source.grow(2);
    for (int page = 0; page < 3; page++) {
      for (int i = 0; i < 64; i++) {
        source.writeByte(page * PAGE + i, (byte) (page * 64 + i + 1));
      }
    }
    return MemoryImage.of(source);
  }

  private static byte[] contents(Memory m) {
    return m.readBytes(0, m.pages() * PAGE);
  }

  @Test
  void aNewMemoryHoldsTheImage() {
    MemoryImage image = image();
    ContiguousMemory m = new ContiguousMemory(LIMITS, image);
    assertThat(m.pages()).isEqualTo(3);
    assertThat(m.read(PAGE + 5)).isEqualTo((byte) 70);
    assertThat(m.readInt(2 * PAGE + 100)).isZero();
    assertThat(contents(m)).isEqualTo(contents(new CopyOnWriteMemory(LIMITS, image, false)));
  }

  @Test
  void resetUndoesStoresOfEveryWidthIncludingOnesAcrossBlockBoundaries() {
    MemoryImage image = image();
    ContiguousMemory m = new ContiguousMemory(LIMITS, image);
    byte[] before = contents(m);

    m.writeByte(3, (byte) -1);
    m.writeShort(BLOCK - 1, (short) -1); // straddles blocks 0 and 1
    m.writeI32(2 * BLOCK - 2, -1); // blocks 1 and 2
    m.writeLong(PAGE - 4, -1L); // the last block of page 0 and the first of page 1
    m.writeF32(PAGE + 3 * BLOCK - 1, Float.NaN); // its low byte, 0, leaves block 18 as it was
    m.writeF64(3 * PAGE - 8, Double.MAX_VALUE); // the memory's last 8 bytes
    assertThat(contents(m)).isNotEqualTo(before);

    assertThat(m.reset()).isTrue();

    assertThat(contents(m)).isEqualTo(before);
    assertThat(m.restoredBlocks()).as("only the blocks changed: 0-2, 15-16, 19, 47").isEqualTo(7);
    assertThat(m.reset()).isTrue();
    assertThat(m.restoredBlocks()).as("nothing changed since").isZero();
  }

  @Test
  void resetUndoesBulkFillCopyAndInitAcrossBlockBoundaries() {
    MemoryImage image = image();
    ContiguousMemory m = new ContiguousMemory(LIMITS, image);
    m.initialize(null, new DataSegment[] {new PassiveDataSegment(new byte[3 * BLOCK])}, 0);
    byte[] before = contents(m);
    assertThat(before[0]).as("the image, not data segments, after the first initialize").isOne();

    m.fill((byte) 7, BLOCK / 2, 3 * BLOCK); // from the middle of block 0 to the end of block 2
    m.copy(PAGE - 10, 0, 2 * BLOCK + 20); // page 0's first bytes to the end of page 0 and on
    m.initPassiveSegment(0, 2 * PAGE + BLOCK - 1, 0, 3 * BLOCK);
    m.write(5 * BLOCK + 3, new byte[] {9, 9, 9}, 0, 3);
    assertThat(m.read(2 * PAGE + 2 * BLOCK)).isZero();
    assertThat(m.read(BLOCK)).isEqualTo((byte) 7);

    assertThat(m.reset()).isTrue();

    assertThat(contents(m)).isEqualTo(before);
  }

  @Test
  void resetAfterGrowthGoesBackToTheImageSize() {
    MemoryImage image = image();
    ContiguousMemory m = new ContiguousMemory(LIMITS, image);
    byte[] before = contents(m);

    assertThat(m.grow(2)).isEqualTo(3);
    m.writeI32(4 * PAGE + 16, 42);
    m.writeI32(16, 42);
    assertThat(m.pages()).isEqualTo(5);

    assertThat(m.reset()).isTrue();

    assertThat(m.pages()).isEqualTo(3);
    assertThat(contents(m)).isEqualTo(before);
    assertThatThrownBy(() -> m.readInt(4 * PAGE + 16))
        .isInstanceOf(WasmRuntimeException.class)
        .hasMessageContaining("out of bounds memory access");
    assertThat(m.grow(1)).isEqualTo(3);
    assertThat(m.readInt(3 * PAGE + 16)).as("grown pages are zeros again").isZero();
  }

  @Test
  void growthOnePageAtATimeIsToldApartFromGrowthInLargeSteps() {
    MemoryLimits limits = new MemoryLimits(1, 160);
    ContiguousMemory large = new ContiguousMemory(limits, image());
    large.grow(40);
    large.grow(80);
    assertThat(large.grewInSmallSteps()).as("two copies, under twice the final size").isFalse();

    ContiguousMemory small = new ContiguousMemory(limits, image());
    for (int i = 0; i < 40; i++) {
      small.grow(1);
    }
    assertThat(small.grewInSmallSteps()).as("40 copies of a growing memory").isTrue();
    assertThat(small.reset()).isTrue();
    assertThat(small.grewInSmallSteps()).as("counted from the last reset").isFalse();
  }

  @Test
  void growthStopsAtTheLimitAndAccessesPastTheEndTrap() {
    ContiguousMemory m = new ContiguousMemory(LIMITS, image());
    assertThat(m.grow(-1)).isEqualTo(-1);
    assertThat(m.grow(4)).isEqualTo(-1);
    assertThat(m.grow(0)).isEqualTo(3);
    assertThat(m.grow(3)).isEqualTo(3);
    assertThat(m.grow(1)).isEqualTo(-1);
    assertThat(m.pages()).isEqualTo(6);

    int end = 6 * PAGE;
    assertThatThrownBy(() -> m.writeI32(end - 2, 1)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> m.readLong(-4)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> m.fill((byte) 1, end - 1, end + 1))
        .isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> m.copy(end - 4, 0, 8)).isInstanceOf(WasmRuntimeException.class);
    assertThat(m.readInt(end - 4)).as("a refused store wrote nothing").isZero();
  }

  @Test
  void aGrowWhoseCopyTheBudgetCannotHoldFailsAndTheMemoryStaysUsable() {
    ContiguousMemory m = new ContiguousMemory(LIMITS, image());
    m.writeI32(100, 7);
    RecordingBudget full = new RecordingBudget(3L * PAGE - 1);

    try (GrowthBudget.Binding b = GrowthBudget.bind(full)) {
      assertThat(m.grow(1)).as("the old array (3 pages) does not fit").isEqualTo(-1);
    }

    assertThat(m.pages()).isEqualTo(3);
    assertThat(m.readInt(100)).isEqualTo(7);
    RecordingBudget roomy = new RecordingBudget(3L * PAGE);
    try (GrowthBudget.Binding b = GrowthBudget.bind(roomy)) {
      assertThat(m.grow(1)).isEqualTo(3);
    }
    assertThat(roomy.largest.get()).as("the old array, reserved while copying").isEqualTo(3 * PAGE);
    assertThat(roomy.held.get()).as("given back after the copy").isZero();
    assertThat(m.readInt(100)).isEqualTo(7);
    assertThat(GrowthBudget.current()).as("the binding ended").isNull();
  }

  @Test
  void aResetThatCannotReserveItsSmallerArrayFailsAndChangesNothing() {
    ContiguousMemory m = new ContiguousMemory(LIMITS, image());
    m.grow(1);
    m.writeI32(3 * PAGE, 5);
    try (GrowthBudget.Binding b = GrowthBudget.bind(new RecordingBudget(0))) {
      assertThat(m.reset()).isFalse();
    }
    assertThat(m.pages()).isEqualTo(4);
    assertThat(m.readInt(3 * PAGE)).isEqualTo(5);
  }

  @Test
  void anImageLargerThanTheLimitIsRefused() {
    assertThatThrownBy(() -> new ContiguousMemory(new MemoryLimits(1, 2), image()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("image: 3 pages (expected: at most the memory's maximum, 2 pages)");
  }

  /** A budget of {@code room} bytes that records what was reserved. */
  private static final class RecordingBudget implements GrowthBudget {
    private final long room;
    final AtomicLong held = new AtomicLong();
    final AtomicLong largest = new AtomicLong();

    RecordingBudget(long room) {
      this.room = room;
    }

    @Override
    public boolean tryReserve(long bytes) {
      if (held.get() + bytes > room) {
        return false;
      }
      largest.accumulateAndGet(held.addAndGet(bytes), Math::max);
      return true;
    }

    @Override
    public void release(long bytes) {
      held.addAndGet(-bytes);
    }
  }
}
