package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The engine's linear memory: wasm's little-endian loads and stores, bounds, growth, segments. */
class ContiguousMemoryTest {
  private static final int PAGE = 64 * 1024;

  private static ContiguousMemory memory(int initial, int max) {
    return new ContiguousMemory(new MemoryLimits(initial, max));
  }

  private static void assertOutOfBounds(Executable access) {
    assertThatThrownBy(access::execute)
        .isInstanceOf(WasmRuntimeException.class)
        .hasMessageContaining("out of bounds memory access");
  }

  @Test
  void loadsAndStoresAreLittleEndianAtEveryWidth() {
    ContiguousMemory m = memory(1, 1);
    m.writeI32(0, 0x11223344);
    assertThat(m.read(0)).isEqualTo((byte) 0x44);
    assertThat(m.read(3)).isEqualTo((byte) 0x11);
    assertThat(m.readInt(0)).isEqualTo(0x11223344);
    assertThat(m.readShort(1)).isEqualTo((short) 0x2233);
    assertThat(m.readU16(2)).isEqualTo(0x1122L);
    m.writeLong(8, 0x0102030405060708L);
    assertThat(m.read(8)).isEqualTo((byte) 0x08);
    assertThat(m.readLong(8)).isEqualTo(0x0102030405060708L);
    m.writeShort(20, (short) -2);
    assertThat(m.readU16(20)).isEqualTo(0xFFFEL);
    m.writeF32(24, 1.5f);
    assertThat(m.readFloat(24)).isEqualTo(1.5f);
    assertThat(m.readF32(24)).isEqualTo(Float.floatToRawIntBits(1.5f));
    m.writeF64(32, -2.25);
    assertThat(m.readDouble(32)).isEqualTo(-2.25);
    assertThat(m.readF64(32)).isEqualTo(Double.doubleToRawLongBits(-2.25));
    m.writeByte(PAGE - 1, (byte) 7);
    assertThat(m.readBytes(PAGE - 2, 2)).containsExactly(0, 7);
  }

  @Test
  void everyAccessPastTheEndOrAtANegativeAddressTraps() {
    ContiguousMemory m = memory(1, 2);
    assertOutOfBounds(() -> m.read(PAGE));
    assertOutOfBounds(() -> m.writeByte(PAGE, (byte) 1));
    assertOutOfBounds(() -> m.readShort(PAGE - 1));
    assertOutOfBounds(() -> m.writeShort(PAGE - 1, (short) 1));
    assertOutOfBounds(() -> m.readInt(PAGE - 3));
    assertOutOfBounds(() -> m.writeI32(PAGE - 3, 1));
    assertOutOfBounds(() -> m.readLong(PAGE - 7));
    assertOutOfBounds(() -> m.writeLong(PAGE - 7, 1));
    assertOutOfBounds(() -> m.readFloat(PAGE - 3));
    assertOutOfBounds(() -> m.writeF32(PAGE - 3, 1));
    assertOutOfBounds(() -> m.readDouble(PAGE - 7));
    assertOutOfBounds(() -> m.writeF64(PAGE - 7, 1));
    // Addresses at or above 2 GiB arrive as negative ints.
    assertOutOfBounds(() -> m.readInt(Integer.MIN_VALUE));
    assertOutOfBounds(() -> m.read(-1));
    assertOutOfBounds(() -> m.readBytes(PAGE - 1, 2));
    assertOutOfBounds(() -> m.write(PAGE - 1, new byte[2], 0, 2));
    assertOutOfBounds(() -> m.fill((byte) 1, PAGE - 1, PAGE + 1));
    assertOutOfBounds(() -> m.copy(0, PAGE - 1, 2));
    assertOutOfBounds(() -> m.copy(PAGE - 1, 0, 2));
    assertThat(m.readLong(PAGE - 8)).isZero();
  }

  @Test
  void growthKeepsTheContentsAndStopsAtTheMaximum() {
    ContiguousMemory m = memory(1, 3);
    m.writeI32(PAGE - 4, 42);

    assertThat(m.grow(0)).isEqualTo(1);
    assertThat(m.grow(1)).isEqualTo(1);
    assertThat(m.pages()).isEqualTo(2);
    assertThat(m.readInt(PAGE - 4)).isEqualTo(42);
    assertThat(m.readInt(2 * PAGE - 4)).isZero();
    assertThat(m.grow(2)).isEqualTo(-1);
    assertThat(m.grow(-1)).isEqualTo(-1);
    assertThat(m.pages()).isEqualTo(2);
    assertThat(m.grow(1)).isEqualTo(2);
    m.writeI32(3 * PAGE - 4, 7);
    assertThat(m.readInt(3 * PAGE - 4)).isEqualTo(7);
    assertOutOfBounds(() -> m.read(3 * PAGE));
    assertThat(m.initialPages()).isEqualTo(1);
    assertThat(m.maximumPages()).isEqualTo(3);
  }

  @Test
  void fillCopyAndZeroWorkOnRanges() {
    ContiguousMemory m = memory(1, 1);
    m.fill((byte) 9, 10, 14);
    assertThat(m.readBytes(9, 6)).containsExactly(0, 9, 9, 9, 9, 0);
    m.write(100, new byte[] {1, 2, 3, 4, 5}, 1, 3);
    assertThat(m.readBytes(100, 3)).containsExactly(2, 3, 4);
    m.copy(101, 100, 3); // overlapping, as memory.copy allows
    assertThat(m.readBytes(100, 4)).containsExactly(2, 2, 3, 4);
    m.zero();
    assertThat(m.readBytes(100, 4)).containsExactly(0, 0, 0, 0);
  }

  @Test
  void passiveSegmentsCopyInAndDropToEmpty() {
    ContiguousMemory m = memory(1, 1);
    m.initialize(
        null,
        new com.dylibso.chicory.wasm.types.DataSegment[] {
          new PassiveDataSegment(new byte[] {5, 6, 7})
        });

    m.initPassiveSegment(0, 200, 1, 2);
    assertThat(m.readBytes(200, 2)).containsExactly(6, 7);
    assertOutOfBounds(() -> m.initPassiveSegment(0, 200, 2, 2));
    assertOutOfBounds(() -> m.initPassiveSegment(0, PAGE - 1, 0, 2));
    m.drop(0);
    m.initPassiveSegment(0, 300, 0, 0);
    assertOutOfBounds(() -> m.initPassiveSegment(0, 300, 0, 1));
  }

  @Test
  void sharedMemoriesAreNotItsToHold() {
    assertThatThrownBy(() -> new ContiguousMemory(new MemoryLimits(1, 1, true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shared memory (expected: a non-shared memory)");
  }
}
