package io.wruntime.engine.host.snapshot;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A linear memory kept in 4 KiB blocks of {@code byte[]} that starts from a {@link MemoryImage}
 * without copying it: every block reads the image's block until the instance first writes to it,
 * and only then is that block copied. Blocks that are all zeros (in the image, or added by {@code
 * memory.grow}) share one zero block until written. A request that writes to 20 places of a 10 MiB
 * image copies 80 KiB.
 *
 * <p>Reads go through {@code blocks}, writes through {@code writable}, whose entry is null while
 * the block is still shared: a write to such a block copies it first and points both tables at the
 * copy. Shared blocks are never written. Both tables are exactly as long as the memory, so an
 * access past the end fails on the table and traps as in Chicory's memories; growth extends them,
 * up to the maximum of the limits, and fails beyond it. Not for shared memories (threads): an
 * instance and its memory stay on one thread at a time.
 *
 * <p>A memory made from an image skips the first {@link #zero()} and {@link #initialize} that
 * {@link Instance#initialize(boolean)} performs: the image already holds the data segments (and
 * whatever the module's initialization wrote after them).
 */
public final class CopyOnWriteMemory extends SnapshotMemory {
  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle FLOAT =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle DOUBLE =
      MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

  /** The unit of sharing and copying: small, so a write copies little. */
  static final int BLOCK_SIZE = 4096;

  static final int BLOCK_SHIFT = 12;
  private static final int BLOCK_MASK = BLOCK_SIZE - 1;
  static final int BLOCKS_PER_PAGE = PAGE_SIZE / BLOCK_SIZE;

  /** What every all-zero block reads; never written (writes copy it first). */
  private static final byte[] ZERO_BLOCK = new byte[BLOCK_SIZE];

  private final MemoryImage image;
  private final boolean eager;
  private byte[][] blocks;
  private byte[][] writable;
  private int nPages;
  private int copiedBlocks;

  /** An empty memory of {@code limits.initialPages()} pages of zeros. */
  public CopyOnWriteMemory(MemoryLimits limits) {
    super(limits);
    this.image = null;
    this.eager = false;
    this.nPages = limits.initialPages();
    this.blocks = new byte[nPages * BLOCKS_PER_PAGE][];
    this.writable = new byte[blocks.length][];
    Arrays.fill(blocks, ZERO_BLOCK);
  }

  /**
   * A memory holding {@code image}, its blocks shared with the image until written ({@code eager}
   * false), or copied now ({@code eager} true: the plain copy the benchmark compares against).
   *
   * @throws IllegalArgumentException when the image has more pages than {@code limits} allow
   */
  public CopyOnWriteMemory(MemoryLimits limits, MemoryImage image, boolean eager) {
    super(limits);
    this.image = fitting(image);
    this.eager = eager;
    this.nPages = image.pageCount();
    this.blocks = new byte[nPages * BLOCKS_PER_PAGE][];
    this.writable = new byte[blocks.length][];
    fillFromImage();
    this.imagePending = true;
  }

  private void fillFromImage() {
    for (int i = 0; i < blocks.length; i++) {
      byte[] block = image.block(i);
      if (eager) {
        blocks[i] = writable[i] = block == null ? new byte[BLOCK_SIZE] : block.clone();
      } else {
        blocks[i] = block == null ? ZERO_BLOCK : block;
        writable[i] = null;
      }
    }
  }

  /**
   * Puts the memory back to the image it was made from, as a new memory over that image holds it:
   * the blocks written since are dropped (shared with the image again), and the size is the image's
   * again after any growth. The block tables are reallocated only when the size changed. Returns
   * false, changing nothing, for a memory not made from an image.
   */
  public boolean reset() {
    if (image == null) {
      return false;
    }
    int count = image.pageCount() * BLOCKS_PER_PAGE;
    if (blocks.length != count) {
      blocks = new byte[count][];
      writable = new byte[count][];
      nPages = image.pageCount();
      fillFromImage();
    } else if (eager) {
      fillFromImage();
    } else {
      for (int i = 0; i < count; i++) {
        byte[] block = image.block(i);
        byte[] shared = block == null ? ZERO_BLOCK : block;
        if (blocks[i] != shared || writable[i] != null) {
          blocks[i] = shared;
          writable[i] = null;
        }
      }
    }
    copiedBlocks = 0;
    return true;
  }

  /** How many bytes writes have copied (or allocated, for blocks of zeros) so far. */
  public long copiedBytes() {
    return (long) copiedBlocks * BLOCK_SIZE;
  }

  /** The current contents as an image (blocks not written since the image are shared with it). */
  public MemoryImage image() {
    byte[][] copy = new byte[blocks.length][];
    for (int i = 0; i < blocks.length; i++) {
      byte[] block = blocks[i];
      if (block == ZERO_BLOCK) {
        copy[i] = null;
      } else if (writable[i] == null) {
        copy[i] = block;
      } else {
        copy[i] = MemoryImage.isZero(block) ? null : block.clone();
      }
    }
    return new MemoryImage(copy);
  }

  @Override
  public int pages() {
    return nPages;
  }

  @Override
  public int grow(int size) {
    int previous = nPages;
    long target = (long) previous + size;
    if (size < 0 || target > maximumPages()) {
      return -1;
    }
    if (size > 0) {
      int count = (int) target * BLOCKS_PER_PAGE;
      int from = blocks.length;
      blocks = Arrays.copyOf(blocks, count);
      writable = Arrays.copyOf(writable, count);
      Arrays.fill(blocks, from, count, ZERO_BLOCK);
      nPages = (int) target;
    }
    return previous;
  }

  @Override
  long sizeInBytes() {
    return (long) nPages * PAGE_SIZE;
  }

  private boolean inBounds(int addr, int size) {
    return addr >= 0 && size >= 0 && (long) addr + size <= sizeInBytes();
  }

  private WasmRuntimeException outOfBounds(int addr, int size) {
    return new WasmRuntimeException(
        "out of bounds memory access: attempted to access address: "
            + addr
            + " but limit is: "
            + sizeInBytes()
            + " and size: "
            + size);
  }

  /**
   * The block of {@code addr} to write: the instance's own, copied if need be. Past the end it
   * throws (the tables are as long as the memory), which the accessors turn into the trap.
   */
  private byte[] writeBlock(int addr) {
    byte[] block = writable[addr >>> BLOCK_SHIFT];
    return block != null ? block : copy(addr >>> BLOCK_SHIFT);
  }

  private byte[] copy(int index) {
    byte[] shared = blocks[index];
    byte[] own = shared == ZERO_BLOCK ? new byte[BLOCK_SIZE] : shared.clone();
    blocks[index] = own;
    writable[index] = own;
    copiedBlocks++;
    return own;
  }

  /**
   * The trap for an access at {@code addr}: like Chicory's memories, the accessors let the array
   * accesses fail (an index past the end of the tables) rather than check first, so the common case
   * has no extra branch.
   */
  private RuntimeException outOfBounds(RuntimeException e, int addr, int size) {
    if (e instanceof IndexOutOfBoundsException || e instanceof NullPointerException) {
      return outOfBounds(addr, size);
    }
    return e;
  }

  @Override
  public void write(int addr, byte[] data, int offset, int size) {
    checkSource(data, offset, size);
    if (!inBounds(addr, size)) {
      throw outOfBounds(addr, size);
    }
    while (size > 0) {
      int off = addr & BLOCK_MASK;
      int chunk = Math.min(size, BLOCK_SIZE - off);
      System.arraycopy(data, offset, writeBlock(addr), off, chunk);
      addr += chunk;
      offset += chunk;
      size -= chunk;
    }
  }

  @Override
  public byte read(int addr) {
    try {
      return blocks[addr >>> BLOCK_SHIFT][addr & BLOCK_MASK];
    } catch (RuntimeException e) {
      throw outOfBounds(e, addr, 1);
    }
  }

  @Override
  public byte[] readBytes(int addr, int len) {
    if (!inBounds(addr, len)) {
      throw outOfBounds(addr, len);
    }
    byte[] result = new byte[len];
    int done = 0;
    while (done < len) {
      int off = addr & BLOCK_MASK;
      int chunk = Math.min(len - done, BLOCK_SIZE - off);
      System.arraycopy(blocks[addr >>> BLOCK_SHIFT], off, result, done, chunk);
      addr += chunk;
      done += chunk;
    }
    return result;
  }

  @Override
  public void writeByte(int addr, byte data) {
    try {
      writeBlock(addr)[addr & BLOCK_MASK] = data;
    } catch (RuntimeException e) {
      throw outOfBounds(e, addr, 1);
    }
  }

  @Override
  public void writeShort(int addr, short data) {
    int off = addr & BLOCK_MASK;
    if (off + 2 <= BLOCK_SIZE) {
      try {
        SHORT.set(writeBlock(addr), off, data);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 2);
      }
    } else {
      writeBytesSlow(addr, data, 2);
    }
  }

  @Override
  public short readShort(int addr) {
    int off = addr & BLOCK_MASK;
    if (off + 2 <= BLOCK_SIZE) {
      try {
        return (short) SHORT.get(blocks[addr >>> BLOCK_SHIFT], off);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 2);
      }
    }
    return (short) readBytesSlow(addr, 2);
  }

  @Override
  public long readU16(int addr) {
    return readShort(addr) & 0xFFFFL;
  }

  @Override
  public void writeI32(int addr, int data) {
    int off = addr & BLOCK_MASK;
    if (off + 4 <= BLOCK_SIZE) {
      try {
        INT.set(writeBlock(addr), off, data);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 4);
      }
    } else {
      writeBytesSlow(addr, data, 4);
    }
  }

  @Override
  public int readInt(int addr) {
    int off = addr & BLOCK_MASK;
    if (off + 4 <= BLOCK_SIZE) {
      try {
        return (int) INT.get(blocks[addr >>> BLOCK_SHIFT], off);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 4);
      }
    }
    return (int) readBytesSlow(addr, 4);
  }

  @Override
  public void writeLong(int addr, long data) {
    int off = addr & BLOCK_MASK;
    if (off + 8 <= BLOCK_SIZE) {
      try {
        LONG.set(writeBlock(addr), off, data);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 8);
      }
    } else {
      writeBytesSlow(addr, data, 8);
    }
  }

  @Override
  public long readLong(int addr) {
    int off = addr & BLOCK_MASK;
    if (off + 8 <= BLOCK_SIZE) {
      try {
        return (long) LONG.get(blocks[addr >>> BLOCK_SHIFT], off);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 8);
      }
    }
    return readBytesSlow(addr, 8);
  }

  @Override
  public void writeF32(int addr, float data) {
    int off = addr & BLOCK_MASK;
    if (off + 4 <= BLOCK_SIZE) {
      try {
        FLOAT.set(writeBlock(addr), off, data);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 4);
      }
    } else {
      writeBytesSlow(addr, Float.floatToRawIntBits(data), 4);
    }
  }

  @Override
  public long readF32(int addr) {
    return readInt(addr);
  }

  @Override
  public float readFloat(int addr) {
    int off = addr & BLOCK_MASK;
    if (off + 4 <= BLOCK_SIZE) {
      try {
        return (float) FLOAT.get(blocks[addr >>> BLOCK_SHIFT], off);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 4);
      }
    }
    return Float.intBitsToFloat((int) readBytesSlow(addr, 4));
  }

  @Override
  public void writeF64(int addr, double data) {
    int off = addr & BLOCK_MASK;
    if (off + 8 <= BLOCK_SIZE) {
      try {
        DOUBLE.set(writeBlock(addr), off, data);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 8);
      }
    } else {
      writeBytesSlow(addr, Double.doubleToRawLongBits(data), 8);
    }
  }

  @Override
  public double readDouble(int addr) {
    int off = addr & BLOCK_MASK;
    if (off + 8 <= BLOCK_SIZE) {
      try {
        return (double) DOUBLE.get(blocks[addr >>> BLOCK_SHIFT], off);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 8);
      }
    }
    return Double.longBitsToDouble(readBytesSlow(addr, 8));
  }

  @Override
  public long readF64(int addr) {
    return readLong(addr);
  }

  /** A little-endian value that straddles two blocks. */
  private void writeBytesSlow(int addr, long value, int size) {
    if (!inBounds(addr, size)) {
      throw outOfBounds(addr, size);
    }
    for (int i = 0; i < size; i++) {
      writeByte(addr + i, (byte) (value >>> (8 * i)));
    }
  }

  private long readBytesSlow(int addr, int size) {
    if (!inBounds(addr, size)) {
      throw outOfBounds(addr, size);
    }
    long value = 0;
    for (int i = 0; i < size; i++) {
      value |= (read(addr + i) & 0xFFL) << (8 * i);
    }
    return value;
  }

  @Override
  public void zero() {
    if (imagePending) {
      return;
    }
    Arrays.fill(blocks, ZERO_BLOCK);
    Arrays.fill(writable, null);
  }

  @Override
  public void fill(byte value, int fromIndex, int toIndex) {
    int size = toIndex - fromIndex;
    if (!inBounds(fromIndex, size)) {
      throw outOfBounds(fromIndex, size);
    }
    int addr = fromIndex;
    while (size > 0) {
      int off = addr & BLOCK_MASK;
      int chunk = Math.min(size, BLOCK_SIZE - off);
      Arrays.fill(writeBlock(addr), off, off + chunk, value);
      addr += chunk;
      size -= chunk;
    }
  }

  @Override
  public void copy(int dest, int src, int size) {
    if (!inBounds(dest, size)) {
      throw outOfBounds(dest, size);
    }
    if (!inBounds(src, size)) {
      throw outOfBounds(src, size);
    }
    if (dest > src && dest < src + size) {
      // Overlapping with the destination after the source: copy from the end.
      int d = dest + size;
      int s = src + size;
      while (size > 0) {
        int dIn = d & BLOCK_MASK;
        int sIn = s & BLOCK_MASK;
        int chunk =
            Math.min(size, Math.min(dIn == 0 ? BLOCK_SIZE : dIn, sIn == 0 ? BLOCK_SIZE : sIn));
        d -= chunk;
        s -= chunk;
        byte[] to = writeBlock(d);
        System.arraycopy(blocks[s >>> BLOCK_SHIFT], s & BLOCK_MASK, to, d & BLOCK_MASK, chunk);
        size -= chunk;
      }
    } else {
      while (size > 0) {
        int dOff = dest & BLOCK_MASK;
        int sOff = src & BLOCK_MASK;
        int chunk = Math.min(size, BLOCK_SIZE - Math.max(dOff, sOff));
        byte[] to = writeBlock(dest);
        System.arraycopy(blocks[src >>> BLOCK_SHIFT], sOff, to, dOff, chunk);
        dest += chunk;
        src += chunk;
        size -= chunk;
      }
    }
  }
}
