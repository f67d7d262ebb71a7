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

/**
 * What {@link ContiguousMemory} and {@link CopyOnWriteMemory} share apart from how they hold the
 * bytes: the limits, unshared-memory atomics, data segments (applied at initialization unless the
 * contents already come from an image, kept for {@code memory.init} and {@code data.drop}).
 */
abstract sealed class SnapshotMemory implements Memory permits ContiguousMemory, CopyOnWriteMemory {

  /** The memory's declared limits. */
  final MemoryLimits limits;

  /** The instance's data segments, as Chicory hands them over at initialization. */
  DataSegment[] dataSegments;

  /** Whether the next {@link #initialize} keeps the contents (they come from an image). */
  boolean imagePending;

  /**
   * @throws IllegalArgumentException when {@code limits} are those of a shared memory
   */
  SnapshotMemory(MemoryLimits limits) {
    requireNonNull(limits, "limits");
    if (limits.shared()) {
      throw new IllegalArgumentException(
          "limits: a shared memory (expected: an unshared one; instances of a shared memory run on"
              + " several threads)");
    }
    this.limits = limits;
  }

  /**
   * Returns {@code image} when it fits the memory's maximum.
   *
   * @throws IllegalArgumentException when it has more pages than the limits allow
   */
  final MemoryImage fitting(MemoryImage image) {
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
    return image;
  }

  /** The memory's current size in bytes. */
  abstract long sizeInBytes();

  /**
   * Makes the next {@link #initialize} (and the {@link #zero()} before it) leave the contents as
   * they are: for an instance that imports this memory when the memory's image already holds what
   * that instance's data segments would write.
   */
  public void skipNextInitialize() {
    imagePending = true;
  }

  /** Checks that {@code size} bytes from {@code offset} lie within {@code data}. */
  static void checkSource(byte[] data, int offset, int size) {
    if (offset < 0 || size < 0 || (long) offset + size > data.length) {
      throw new WasmRuntimeException(
          "out of bounds memory access: attempted to access address: "
              + offset
              + " but limit is: "
              + data.length
              + " and size: "
              + size);
    }
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
        if (offset < 0 || (long) offset + data.length > sizeInBytes()) {
          throw new UninstantiableException(
              "out of bounds memory access: attempted to access address: "
                  + Integer.toUnsignedString(offset)
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
}
