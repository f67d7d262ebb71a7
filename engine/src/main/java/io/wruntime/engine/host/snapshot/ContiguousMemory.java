package io.wruntime.engine.host.snapshot;

import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A linear memory in one {@code byte[]} of exactly its current size, started from a copy of a
 * {@link MemoryImage} and {@link #reset() reset} to it by copying back only the 4 KiB blocks that
 * differ from it.
 *
 * <p>Why one array of the exact size: a load or store is then one array access whose bounds check
 * is the one the JIT does anyway (an access past the end traps as wasm requires) and can hoist out
 * of loops; Chicory's paged memories and {@link CopyOnWriteMemory} pay a block lookup and checks of
 * their own on every access, and a larger array checked against a size field gave back most of the
 * gain (benchmarks/README.md, "cpu"). For the same reason stores leave no mark of what they wrote:
 * a dirty mark per store (one more array store, even with its bounds check masked away) made
 * store-heavy guest code up to twice as slow. The reset finds the changed blocks instead, comparing
 * each block of the image's size with the image (a vectorized compare), so a reused instance pays a
 * read of its image and a copy of what the last request changed.
 *
 * <p>What growth holds: {@code memory.grow} copies the memory into a new array of the new size, so
 * while it runs the instance holds the old array and the new one. The new one is within the {@code
 * max_memory_size} the request reserved; the old one is reserved, for the copy's duration, from the
 * {@link GrowthBudget#current()} the engine binds to the guest call, and a grow that cannot reserve
 * it answers -1 (the guest sees an out-of-memory), as does one the JVM cannot allocate. A reset
 * after growth moves the memory back into an array of the image's size, reserving that array the
 * same way (it fails, and the instance is discarded, when it cannot). Growth one page at a time
 * copies the memory once per page: quadratic in the pages added, bounded by {@code
 * max_memory_size}; {@link #grewInSmallSteps()} tells, and the snapshot then gives the module's
 * later instances a {@link CopyOnWriteMemory} instead.
 *
 * <p>Not for shared memories (threads): an instance and its memory stay on one thread at a time.
 */
public final class ContiguousMemory extends SnapshotMemory {
  private static final VarHandle SHORT = view(short[].class);
  private static final VarHandle INT = view(int[].class);
  private static final VarHandle LONG = view(long[].class);
  private static final VarHandle FLOAT = view(float[].class);
  private static final VarHandle DOUBLE = view(double[].class);

  private static final int BLOCK_SHIFT = CopyOnWriteMemory.BLOCK_SHIFT;

  private final MemoryImage image;
  private byte[] bytes;
  private int restoredBlocks;
  private long growthCopiedBytes;

  /**
   * A memory holding a copy of {@code image}.
   *
   * @throws IllegalArgumentException when the image has more pages than {@code limits} allow
   */
  public ContiguousMemory(MemoryLimits limits, MemoryImage image) {
    super(limits);
    this.image = fitting(image);
    this.bytes = new byte[image.pageCount() * PAGE_SIZE];
    image.copyInto(bytes);
    this.imagePending = true;
  }

  private static VarHandle view(Class<?> arrayType) {
    return MethodHandles.byteArrayViewVarHandle(arrayType, ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Puts the memory back to its image: the blocks that differ from it are copied back, and after
   * growth the memory moves back into an array of the image's size. Returns false when that move
   * could not reserve its array ({@link GrowthBudget}); the memory is then unchanged and must not
   * be reused.
   */
  public boolean reset() {
    int size = image.pageCount() * PAGE_SIZE;
    if (bytes.length != size) {
      byte[] shrunk = allocate(size, () -> Arrays.copyOf(bytes, size));
      if (shrunk == null) {
        return false;
      }
      bytes = shrunk;
    }
    int restored = 0;
    for (int i = 0, blocks = size >>> BLOCK_SHIFT; i < blocks; i++) {
      if (image.restoreBlock(i, bytes)) {
        restored++;
      }
    }
    restoredBlocks = restored;
    growthCopiedBytes = 0;
    return true;
  }

  /**
   * Whether the growth since the image (or the last reset) copied more than four times the memory's
   * size now (and over 1 MiB): what growing in small steps, one page at a time as malloc does for a
   * heap built up little by little, costs this memory (each step copies the whole memory), while
   * growth in large steps copies less than twice the final size.
   */
  public boolean grewInSmallSteps() {
    return growthCopiedBytes > 4L * bytes.length && growthCopiedBytes > 1L << 20;
  }

  /** How many 4 KiB blocks the last {@link #reset()} copied back (they had changed). */
  public int restoredBlocks() {
    return restoredBlocks;
  }

  @FunctionalInterface
  private interface Allocation {
    byte[] get();
  }

  /**
   * Runs {@code allocation} (which holds {@code transientBytes} beside the current array) with
   * those bytes reserved from the call's {@link GrowthBudget}; null when they cannot be reserved or
   * the JVM cannot allocate them.
   */
  private static byte[] allocate(long transientBytes, Allocation allocation) {
    GrowthBudget budget = GrowthBudget.current();
    if (budget != null && !budget.tryReserve(transientBytes)) {
      return null;
    }
    try {
      return allocation.get();
    } catch (OutOfMemoryError e) {
      return null;
    } finally {
      if (budget != null) {
        budget.release(transientBytes);
      }
    }
  }

  private WasmRuntimeException outOfBounds(int addr, long size) {
    return new WasmRuntimeException(
        "out of bounds memory access: attempted to access address: "
            + Integer.toUnsignedString(addr)
            + " but limit is: "
            + bytes.length
            + " and size: "
            + size);
  }

  private void checkRange(int addr, int size) {
    if (addr < 0 || size < 0 || (long) addr + size > bytes.length) {
      throw outOfBounds(addr, size);
    }
  }

  @Override
  long sizeInBytes() {
    return bytes.length;
  }

  @Override
  public int pages() {
    return bytes.length / PAGE_SIZE;
  }

  @Override
  public int grow(int delta) {
    int previous = pages();
    long target = (long) previous + delta;
    if (delta < 0 || target > maximumPages()) {
      return -1;
    }
    if (delta > 0) {
      int size = (int) target * PAGE_SIZE;
      byte[] grown = allocate(bytes.length, () -> Arrays.copyOf(bytes, size));
      if (grown == null) {
        return -1;
      }
      growthCopiedBytes += bytes.length;
      bytes = grown;
    }
    return previous;
  }

  @Override
  public void write(int addr, byte[] data, int offset, int size) {
    checkSource(data, offset, size);
    checkRange(addr, size);
    System.arraycopy(data, offset, bytes, addr, size);
  }

  @Override
  public byte read(int addr) {
    try {
      return bytes[addr];
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  @Override
  public byte[] readBytes(int addr, int len) {
    checkRange(addr, len);
    return Arrays.copyOfRange(bytes, addr, addr + len);
  }

  @Override
  public void writeByte(int addr, byte data) {
    try {
      bytes[addr] = data;
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  @Override
  public void writeShort(int addr, short data) {
    try {
      SHORT.set(bytes, addr, data);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 2);
    }
  }

  @Override
  public short readShort(int addr) {
    try {
      return (short) SHORT.get(bytes, addr);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 2);
    }
  }

  @Override
  public long readU16(int addr) {
    return readShort(addr) & 0xFFFFL;
  }

  @Override
  public void writeI32(int addr, int data) {
    try {
      INT.set(bytes, addr, data);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public int readInt(int addr) {
    try {
      return (int) INT.get(bytes, addr);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public void writeLong(int addr, long data) {
    try {
      LONG.set(bytes, addr, data);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public long readLong(int addr) {
    try {
      return (long) LONG.get(bytes, addr);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public void writeF32(int addr, float data) {
    try {
      FLOAT.set(bytes, addr, data);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public long readF32(int addr) {
    return readInt(addr);
  }

  @Override
  public float readFloat(int addr) {
    try {
      return (float) FLOAT.get(bytes, addr);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public void writeF64(int addr, double data) {
    try {
      DOUBLE.set(bytes, addr, data);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public double readDouble(int addr) {
    try {
      return (double) DOUBLE.get(bytes, addr);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public long readF64(int addr) {
    return readLong(addr);
  }

  @Override
  public void zero() {
    if (imagePending) {
      return;
    }
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public void fill(byte value, int fromIndex, int toIndex) {
    int size = toIndex - fromIndex;
    checkRange(fromIndex, size);
    Arrays.fill(bytes, fromIndex, toIndex, value);
  }

  @Override
  public void copy(int dest, int src, int size) {
    checkRange(src, size);
    checkRange(dest, size);
    System.arraycopy(bytes, src, bytes, dest, size);
  }
}
