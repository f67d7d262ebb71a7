package io.wruntime.engine.host.snapshot;

import static com.dylibso.chicory.runtime.ConstantEvaluators.computeConstantValue;
import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A linear memory of 64 KiB {@code byte[]} pages (like Chicory's {@code ByteArrayMemory}) that
 * starts from a {@link MemoryImage} without copying it: every page reads the image's page until the
 * instance first writes to it, and only then is that page copied (all-zero pages of the image cost
 * nothing until written). A request that touches 5 pages of a 10 MiB image copies 320 KiB.
 *
 * <p>Reads go through {@code pages}, writes through {@code writable}, whose entry is null while the
 * page is still the image's: a write to such a page copies it first and points both arrays at the
 * copy. Pages of the image are never written. Beyond {@link #pages()} both arrays hold null, so an
 * access past the end traps as in Chicory's memories; growth allocates zeroed pages up to the
 * maximum of the limits and fails beyond it. Not for shared memories (threads): an instance and its
 * memory stay on one thread at a time.
 *
 * <p>A memory made from an image skips the first {@link #zero()} and {@link #initialize} that
 * {@link Instance#initialize(boolean)} performs: the image already holds the data segments (and
 * whatever the module's initialization wrote after them).
 */
public final class CopyOnWriteMemory implements Memory {
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

  private static final int PAGE_SHIFT = 16;
  private static final int PAGE_MASK = PAGE_SIZE - 1;

  /** What every all-zero image page reads; never written (writes copy it first). */
  private static final byte[] ZERO_PAGE = new byte[PAGE_SIZE];

  private final MemoryLimits limits;
  private final byte[][] pages;
  private final byte[][] writable;
  private int nPages;
  private boolean imagePending;
  private int copiedPages;
  private DataSegment[] dataSegments;

  /** An empty memory of {@code limits.initialPages()} zeroed pages. */
  public CopyOnWriteMemory(MemoryLimits limits) {
    this.limits = checked(limits);
    int max = maximumPages();
    this.pages = new byte[max][];
    this.writable = new byte[max][];
    this.nPages = limits.initialPages();
    for (int i = 0; i < nPages; i++) {
      pages[i] = writable[i] = new byte[PAGE_SIZE];
    }
  }

  /**
   * A memory holding {@code image}, its pages shared with the image until written ({@code eager}
   * false), or copied now ({@code eager} true: the plain copy the benchmark compares against).
   *
   * @throws IllegalArgumentException when the image has more pages than {@code limits} allow
   */
  public CopyOnWriteMemory(MemoryLimits limits, MemoryImage image, boolean eager) {
    this.limits = checked(limits);
    requireNonNull(image, "image");
    int max = maximumPages();
    if (image.pageCount() > max) {
      throw new IllegalArgumentException(
          "image: "
              + image.pageCount()
              + " pages (expected: at most the memory's maximum, "
              + max
              + " pages)");
    }
    this.pages = new byte[max][];
    this.writable = new byte[max][];
    this.nPages = image.pageCount();
    for (int i = 0; i < nPages; i++) {
      byte[] page = image.page(i);
      if (eager) {
        pages[i] = writable[i] = page == null ? new byte[PAGE_SIZE] : page.clone();
      } else {
        pages[i] = page == null ? ZERO_PAGE : page;
      }
    }
    this.imagePending = true;
  }

  private static MemoryLimits checked(MemoryLimits limits) {
    requireNonNull(limits, "limits");
    if (limits.shared()) {
      throw new IllegalArgumentException(
          "limits: a shared memory (expected: an unshared one; instances of a shared memory run on"
              + " several threads)");
    }
    return limits;
  }

  /**
   * Makes the next {@link #initialize} (and the {@link #zero()} before it) leave the contents as
   * they are: for an instance that imports this memory when the memory's image already holds what
   * that instance's data segments would write.
   */
  public void skipNextInitialize() {
    imagePending = true;
  }

  /** How many pages writes have copied from the image so far. */
  public int copiedPages() {
    return copiedPages;
  }

  /** The current contents as an image (pages not written since the image are shared with it). */
  public MemoryImage image() {
    byte[][] copy = new byte[nPages][];
    for (int i = 0; i < nPages; i++) {
      byte[] page = pages[i];
      if (page == ZERO_PAGE) {
        copy[i] = null;
      } else if (writable[i] == null) {
        copy[i] = page;
      } else {
        copy[i] = MemoryImage.isZero(page) ? null : page.clone();
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
    for (int i = previous; i < target; i++) {
      pages[i] = writable[i] = new byte[PAGE_SIZE];
    }
    nPages = (int) target;
    return previous;
  }

  @Override
  public int initialPages() {
    return limits.initialPages();
  }

  @Override
  public int maximumPages() {
    return Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  @SuppressWarnings("removal")
  public Object lock(int address) {
    // Unshared: one thread at a time uses the memory; the default atomics need a monitor only.
    return this;
  }

  @Override
  @SuppressWarnings("removal")
  public int waitOn(int address, int expected, long timeout) {
    throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
  }

  @Override
  @SuppressWarnings("removal")
  public int waitOn(int address, long expected, long timeout) {
    throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
  }

  @Override
  @SuppressWarnings("removal")
  public int notify(int address, int maxThreads) {
    return 0;
  }

  @Override
  public void initialize(Instance instance, DataSegment[] dataSegments) {
    initialize(instance, dataSegments, 0);
  }

  @Override
  public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
    this.dataSegments = dataSegments;
    if (imagePending) {
      imagePending = false;
      return;
    }
    if (dataSegments == null) {
      return;
    }
    for (DataSegment s : dataSegments) {
      if (s instanceof ActiveDataSegment segment) {
        if (segment.index() != memoryIndex) {
          continue;
        }
        byte[] data = segment.data();
        int offset = (int) computeConstantValue(instance, segment.offsetInstructions())[0];
        if (!inBounds(offset, data.length)) {
          throw new UninstantiableException(
              "out of bounds memory access: attempted to access address: "
                  + offset
                  + " but limit is: "
                  + sizeInBytes()
                  + " and size: "
                  + data.length);
        }
        write(offset, data, 0, data.length);
      } else if (!(s instanceof PassiveDataSegment)) {
        throw new ChicoryException("Data segment should be active or passive: " + s);
      }
    }
  }

  @Override
  public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
    write(dest, dataSegments[segmentId].data(), offset, size);
  }

  @Override
  public void drop(int segment) {
    dataSegments[segment] = PassiveDataSegment.EMPTY;
  }

  private long sizeInBytes() {
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
   * The page of {@code addr} to write: the instance's own, copied from the image if need be. Past
   * the end (or past the maximum) it throws, which the accessors turn into the out-of-bounds trap.
   */
  private byte[] writePage(int addr) {
    byte[] page = writable[addr >>> PAGE_SHIFT];
    return page != null ? page : copy(addr >>> PAGE_SHIFT);
  }

  private byte[] copy(int index) {
    if (index >= nPages) {
      throw new IndexOutOfBoundsException(index);
    }
    byte[] shared = pages[index];
    byte[] own = shared == ZERO_PAGE ? new byte[PAGE_SIZE] : shared.clone();
    pages[index] = own;
    writable[index] = own;
    copiedPages++;
    return own;
  }

  /**
   * The trap for an access at {@code addr}: like Chicory's memories, the accessors let the array
   * accesses fail (null page past the end, index past the maximum) rather than check first, so the
   * common case has no extra branch.
   */
  private RuntimeException outOfBounds(RuntimeException e, int addr, int size) {
    if (e instanceof IndexOutOfBoundsException || e instanceof NullPointerException) {
      return outOfBounds(addr, size);
    }
    return e;
  }

  @Override
  public void write(int addr, byte[] data, int offset, int size) {
    if (offset < 0 || size < 0 || (long) offset + size > data.length) {
      throw new WasmRuntimeException(
          "out of bounds memory access: attempted to access address: "
              + offset
              + " but limit is: "
              + data.length
              + " and size: "
              + size);
    }
    if (!inBounds(addr, size)) {
      throw outOfBounds(addr, size);
    }
    while (size > 0) {
      int off = addr & PAGE_MASK;
      int chunk = Math.min(size, PAGE_SIZE - off);
      System.arraycopy(data, offset, writePage(addr), off, chunk);
      addr += chunk;
      offset += chunk;
      size -= chunk;
    }
  }

  @Override
  public byte read(int addr) {
    try {
      return pages[addr >>> PAGE_SHIFT][addr & PAGE_MASK];
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
      int off = addr & PAGE_MASK;
      int chunk = Math.min(len - done, PAGE_SIZE - off);
      System.arraycopy(pages[addr >>> PAGE_SHIFT], off, result, done, chunk);
      addr += chunk;
      done += chunk;
    }
    return result;
  }

  @Override
  public void writeByte(int addr, byte data) {
    try {
      writePage(addr)[addr & PAGE_MASK] = data;
    } catch (RuntimeException e) {
      throw outOfBounds(e, addr, 1);
    }
  }

  @Override
  public void writeShort(int addr, short data) {
    int off = addr & PAGE_MASK;
    if (off + 2 <= PAGE_SIZE) {
      try {
        SHORT.set(writePage(addr), off, data);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 2);
      }
    } else {
      writeBytesSlow(addr, data, 2);
    }
  }

  @Override
  public short readShort(int addr) {
    int off = addr & PAGE_MASK;
    if (off + 2 <= PAGE_SIZE) {
      try {
        return (short) SHORT.get(pages[addr >>> PAGE_SHIFT], off);
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
    int off = addr & PAGE_MASK;
    if (off + 4 <= PAGE_SIZE) {
      try {
        INT.set(writePage(addr), off, data);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 4);
      }
    } else {
      writeBytesSlow(addr, data, 4);
    }
  }

  @Override
  public int readInt(int addr) {
    int off = addr & PAGE_MASK;
    if (off + 4 <= PAGE_SIZE) {
      try {
        return (int) INT.get(pages[addr >>> PAGE_SHIFT], off);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 4);
      }
    }
    return (int) readBytesSlow(addr, 4);
  }

  @Override
  public void writeLong(int addr, long data) {
    int off = addr & PAGE_MASK;
    if (off + 8 <= PAGE_SIZE) {
      try {
        LONG.set(writePage(addr), off, data);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 8);
      }
    } else {
      writeBytesSlow(addr, data, 8);
    }
  }

  @Override
  public long readLong(int addr) {
    int off = addr & PAGE_MASK;
    if (off + 8 <= PAGE_SIZE) {
      try {
        return (long) LONG.get(pages[addr >>> PAGE_SHIFT], off);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 8);
      }
    }
    return readBytesSlow(addr, 8);
  }

  @Override
  public void writeF32(int addr, float data) {
    int off = addr & PAGE_MASK;
    if (off + 4 <= PAGE_SIZE) {
      try {
        FLOAT.set(writePage(addr), off, data);
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
    int off = addr & PAGE_MASK;
    if (off + 4 <= PAGE_SIZE) {
      try {
        return (float) FLOAT.get(pages[addr >>> PAGE_SHIFT], off);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 4);
      }
    }
    return Float.intBitsToFloat((int) readBytesSlow(addr, 4));
  }

  @Override
  public void writeF64(int addr, double data) {
    int off = addr & PAGE_MASK;
    if (off + 8 <= PAGE_SIZE) {
      try {
        DOUBLE.set(writePage(addr), off, data);
      } catch (RuntimeException e) {
        throw outOfBounds(e, addr, 8);
      }
    } else {
      writeBytesSlow(addr, Double.doubleToRawLongBits(data), 8);
    }
  }

  @Override
  public double readDouble(int addr) {
    int off = addr & PAGE_MASK;
    if (off + 8 <= PAGE_SIZE) {
      try {
        return (double) DOUBLE.get(pages[addr >>> PAGE_SHIFT], off);
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

  /** A little-endian value that straddles two pages. */
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
    for (int i = 0; i < nPages; i++) {
      pages[i] = ZERO_PAGE;
      writable[i] = null;
    }
  }

  @Override
  public void fill(byte value, int fromIndex, int toIndex) {
    int size = toIndex - fromIndex;
    if (!inBounds(fromIndex, size)) {
      throw outOfBounds(fromIndex, size);
    }
    int addr = fromIndex;
    while (size > 0) {
      int off = addr & PAGE_MASK;
      int chunk = Math.min(size, PAGE_SIZE - off);
      Arrays.fill(writePage(addr), off, off + chunk, value);
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
        int dIn = d & PAGE_MASK;
        int sIn = s & PAGE_MASK;
        int chunk =
            Math.min(size, Math.min(dIn == 0 ? PAGE_SIZE : dIn, sIn == 0 ? PAGE_SIZE : sIn));
        d -= chunk;
        s -= chunk;
        byte[] to = writePage(d);
        System.arraycopy(pages[s >>> PAGE_SHIFT], s & PAGE_MASK, to, d & PAGE_MASK, chunk);
        size -= chunk;
      }
    } else {
      while (size > 0) {
        int dOff = dest & PAGE_MASK;
        int sOff = src & PAGE_MASK;
        int chunk = Math.min(size, PAGE_SIZE - Math.max(dOff, sOff));
        byte[] to = writePage(dest);
        System.arraycopy(pages[src >>> PAGE_SHIFT], sOff, to, dOff, chunk);
        dest += chunk;
        src += chunk;
        size -= chunk;
      }
    }
  }
}
