package io.wruntime.engine.host.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import org.junit.jupiter.api.Test;

/** Copy-on-write memories over one image: isolated from each other, limits kept. */
class CopyOnWriteMemoryTest {
  private static final int PAGE = Memory.PAGE_SIZE;
  private static final int BLOCK = CopyOnWriteMemory.BLOCK_SIZE;
  private static final MemoryLimits LIMITS = new MemoryLimits(1, 4);

  private static MemoryImage image() {
    CopyOnWriteMemory source = new CopyOnWriteMemory(LIMITS);
    source.grow(2);
    source.writeI32(16, 42);
    source.writeLong(2 * PAGE + 8, 0x1122334455667788L);
    return MemoryImage.of(source);
  }

  @Test
  void theImageKeepsOnlyItsNonZeroBlocks() {
    MemoryImage image = image();
    assertThat(image.pageCount()).isEqualTo(3);
    assertThat(image.retainedBytes()).isEqualTo(2L * BLOCK);
  }

  @Test
  void memoriesOverOneImageReadItAndCopyOnlyTheBlocksTheyWrite() {
    MemoryImage image = image();
    CopyOnWriteMemory a = new CopyOnWriteMemory(LIMITS, image, false);
    CopyOnWriteMemory b = new CopyOnWriteMemory(LIMITS, image, false);

    assertThat(a.pages()).isEqualTo(3);
    assertThat(a.readInt(16)).isEqualTo(42);
    assertThat(a.readLong(2 * PAGE + 8)).isEqualTo(0x1122334455667788L);
    assertThat(a.readInt(PAGE + 100)).isZero();
    assertThat(a.copiedBytes()).isZero();

    a.writeI32(16, 7);
    a.writeByte(PAGE + 100, (byte) 9);
    assertThat(a.copiedBytes()).isEqualTo(2L * BLOCK);
    assertThat(a.readInt(16)).isEqualTo(7);
    assertThat(a.read(PAGE + 100)).isEqualTo((byte) 9);

    assertThat(b.readInt(16)).isEqualTo(42);
    assertThat(b.read(PAGE + 100)).isZero();
    assertThat(new CopyOnWriteMemory(LIMITS, image, false).readInt(16)).isEqualTo(42);
  }

  @Test
  void resetGoesBackToTheImageAndItsSize() {
    MemoryImage image = image();
    CopyOnWriteMemory m = new CopyOnWriteMemory(LIMITS, image, false);
    m.writeI32(16, 7);
    m.writeByte(PAGE + 100, (byte) 9);

    assertThat(m.reset()).isTrue();
    assertThat(m.readInt(16)).isEqualTo(42);
    assertThat(m.read(PAGE + 100)).isZero();
    assertThat(m.copiedBytes()).isZero();

    assertThat(m.grow(1)).isEqualTo(3);
    m.writeI32(3 * PAGE, 5);
    m.writeI32(16, 8);
    assertThat(m.reset()).isTrue();
    assertThat(m.pages()).isEqualTo(3);
    assertThat(m.readInt(16)).isEqualTo(42);
    assertThat(m.readLong(2 * PAGE + 8)).isEqualTo(0x1122334455667788L);
    assertThatThrownBy(() -> m.readInt(3 * PAGE)).isInstanceOf(WasmRuntimeException.class);
    assertThat(m.grow(2)).as("the limits still hold").isEqualTo(-1);
    assertThat(image.retainedBytes()).as("the image was never written").isEqualTo(2L * BLOCK);

    assertThat(new CopyOnWriteMemory(LIMITS).reset()).as("not made from an image").isFalse();
  }

  @Test
  void anEagerCopyOwnsEveryPage() {
    CopyOnWriteMemory eager = new CopyOnWriteMemory(LIMITS, image(), true);
    eager.writeI32(16, 1);
    assertThat(eager.copiedBytes()).isZero();
    assertThat(eager.readLong(2 * PAGE + 8)).isEqualTo(0x1122334455667788L);
  }

  @Test
  void valuesAcrossABlockBoundaryCopyBothBlocks() {
    CopyOnWriteMemory m = new CopyOnWriteMemory(LIMITS, image(), false);
    m.writeLong(PAGE - 4, -2L);
    assertThat(m.readLong(PAGE - 4)).isEqualTo(-2L);
    assertThat(m.copiedBytes()).isEqualTo(2L * BLOCK);
    m.writeF64(2 * PAGE - 2, 1.5);
    assertThat(m.readDouble(2 * PAGE - 2)).isEqualTo(1.5);
    m.writeI32(3 * PAGE - 4, 5);
    assertThat(m.readInt(3 * PAGE - 4)).isEqualTo(5);
    m.writeI32(BLOCK - 2, 0x01020304);
    assertThat(m.readInt(BLOCK - 2)).isEqualTo(0x01020304);
  }

  @Test
  void grownPagesReadZerosAndCostNothingUntilWritten() {
    CopyOnWriteMemory m = new CopyOnWriteMemory(LIMITS);
    assertThat(m.grow(2)).isEqualTo(1);
    assertThat(m.readLong(2 * PAGE + 8)).isZero();
    assertThat(m.copiedBytes()).isZero();
    m.writeByte(2 * PAGE + 8, (byte) 1);
    assertThat(m.copiedBytes()).isEqualTo(BLOCK);
    assertThat(MemoryImage.of(m).retainedBytes()).isEqualTo(BLOCK);
  }

  @Test
  void bulkOperationsSpanPages() {
    MemoryImage image = image();
    CopyOnWriteMemory m = new CopyOnWriteMemory(LIMITS, image, false);
    m.copy(PAGE - 2, 16, 4);
    assertThat(m.readInt(PAGE - 2)).isEqualTo(42);
    m.fill((byte) 1, PAGE - 1, PAGE + 1);
    assertThat(m.readShort(PAGE - 1)).isEqualTo((short) 0x0101);
    m.copy(18, 16, 8);
    assertThat(m.readInt(18)).isEqualTo(42);
    byte[] bytes = m.readBytes(PAGE - 2, 4);
    assertThat(bytes).containsExactly(42, 1, 1, 0);
    assertThat(new CopyOnWriteMemory(LIMITS, image, false).readInt(PAGE - 2)).isZero();
  }

  @Test
  void growthStopsAtTheMaximumAndAccessesPastTheEndTrap() {
    CopyOnWriteMemory m = new CopyOnWriteMemory(LIMITS, image(), false);
    assertThat(m.grow(1)).isEqualTo(3);
    assertThat(m.grow(1)).isEqualTo(-1);
    m.writeI32(4 * PAGE - 4, 3);
    assertThat(m.readInt(4 * PAGE - 4)).isEqualTo(3);
    assertThatThrownBy(() -> m.readInt(4 * PAGE - 2))
        .isInstanceOf(WasmRuntimeException.class)
        .hasMessageContaining("out of bounds memory access");
    assertThatThrownBy(() -> m.writeByte(4 * PAGE, (byte) 1))
        .isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> m.write(4 * PAGE - 1, new byte[2], 0, 2))
        .isInstanceOf(WasmRuntimeException.class);
  }

  @Test
  void anImageLargerThanTheLimitIsRefused() {
    assertThatThrownBy(() -> new CopyOnWriteMemory(new MemoryLimits(1, 2), image(), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 pages");
  }
}
