package io.wruntime.engine.host;

import com.dylibso.chicory.runtime.ConstantEvaluators;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A non-shared linear memory in one {@code byte[]} of exactly its current size, so that a load or
 * store is one array access whose bounds check the JIT does anyway (an access past the end traps as
 * wasm requires), with no page lookup: Chicory's own memories split the memory into 64 KiB pages
 * and pay a page lookup and an in-page check on every access. The price is in {@link #grow}: it
 * copies the memory into a larger array, so while it runs the instance holds the old and the new
 * array. Guests grow rarely (malloc asks for what it needs at once), and an instance lives for one
 * request. Not for shared memories: it has no atomics or wait/notify.
 */
final class ContiguousMemory implements Memory {
  private static final VarHandle SHORT = view(short[].class);
  private static final VarHandle INT = view(int[].class);
  private static final VarHandle LONG = view(long[].class);
  private static final VarHandle FLOAT = view(float[].class);
  private static final VarHandle DOUBLE = view(double[].class);

  private final MemoryLimits limits;
  private byte[] bytes;
  private DataSegment[] segments;

  ContiguousMemory(MemoryLimits limits) {
    if (limits.shared()) {
      throw new IllegalArgumentException("shared memory (expected: a non-shared memory)");
    }
    this.limits = limits;
    this.bytes = new byte[limits.initialPages() * PAGE_SIZE];
  }

  private static VarHandle view(Class<?> arrayType) {
    return MethodHandles.byteArrayViewVarHandle(arrayType, ByteOrder.LITTLE_ENDIAN);
  }

  private RuntimeException outOfBounds(int addr, int size) {
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
  public int pages() {
    return bytes.length / PAGE_SIZE;
  }

  @Override
  public int grow(int delta) {
    int old = pages();
    long grown = (long) old + Integer.toUnsignedLong(delta);
    if (grown > maximumPages()) {
      return -1;
    }
    if (delta != 0) {
      bytes = Arrays.copyOf(bytes, (int) grown * PAGE_SIZE);
    }
    return old;
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
  public Object lock(int address) {
    throw new UnsupportedOperationException("lock on a non-shared memory");
  }

  @Override
  public int waitOn(int address, int expected, long timeout) {
    throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
  }

  @Override
  public int waitOn(int address, long expected, long timeout) {
    throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
  }

  @Override
  public int notify(int address, int maxThreads) {
    checkRange(address, 4);
    return 0;
  }

  @Override
  public void initialize(Instance instance, DataSegment[] dataSegments) {
    initialize(instance, dataSegments, 0);
  }

  @Override
  public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
    this.segments = dataSegments;
    if (dataSegments == null) {
      return;
    }
    for (DataSegment s : dataSegments) {
      if (s instanceof ActiveDataSegment active && active.index() == memoryIndex) {
        int offset =
            (int) ConstantEvaluators.computeConstantValue(instance, active.offsetInstructions())[0];
        byte[] data = active.data();
        checkRange(offset, data.length);
        System.arraycopy(data, 0, bytes, offset, data.length);
      } else if (!(s instanceof ActiveDataSegment) && !(s instanceof PassiveDataSegment)) {
        throw new ChicoryException("Data segment should be active or passive: " + s);
      }
    }
  }

  @Override
  public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
    byte[] data = segments[segmentId].data();
    if (offset < 0 || size < 0 || (long) offset + size > data.length) {
      throw outOfBounds(offset, size);
    }
    write(dest, data, offset, size);
  }

  @Override
  public void write(int addr, byte[] data, int offset, int size) {
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
  public void writeByte(int addr, byte data) {
    try {
      bytes[addr] = data;
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
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
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public void fill(byte value, int fromIndex, int toIndex) {
    checkRange(fromIndex, toIndex - fromIndex);
    Arrays.fill(bytes, fromIndex, toIndex, value);
  }

  @Override
  public void copy(int dest, int src, int size) {
    checkRange(src, size);
    checkRange(dest, size);
    System.arraycopy(bytes, src, bytes, dest, size);
  }

  @Override
  public void drop(int segment) {
    segments[segment] = PassiveDataSegment.EMPTY;
  }
}
