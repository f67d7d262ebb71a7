package io.wruntime.engine.host.snapshot;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.runtime.Memory;

/**
 * The contents of a linear memory at one moment, as 64 KiB pages that are never written again:
 * {@link CopyOnWriteMemory}s share them until they write. All-zero pages are not kept.
 */
public final class MemoryImage {
  private final byte[][] pages;
  private final long retainedBytes;

  /** {@code pages[i]} is page i, or null when it is all zeros; the arrays are not copied. */
  MemoryImage(byte[][] pages) {
    this.pages = requireNonNull(pages, "pages");
    long kept = 0;
    for (byte[] page : pages) {
      if (page != null) {
        if (page.length != Memory.PAGE_SIZE) {
          throw new IllegalArgumentException(
              "page of " + page.length + " bytes (expected: " + Memory.PAGE_SIZE + ")");
        }
        kept += page.length;
      }
    }
    this.retainedBytes = kept;
  }

  /** Copies {@code memory}'s pages (all-zero pages are not kept). */
  public static MemoryImage of(Memory memory) {
    requireNonNull(memory, "memory");
    if (memory instanceof CopyOnWriteMemory cow) {
      return cow.image();
    }
    byte[][] pages = new byte[memory.pages()][];
    for (int i = 0; i < pages.length; i++) {
      byte[] page = memory.readBytes(i * Memory.PAGE_SIZE, Memory.PAGE_SIZE);
      pages[i] = isZero(page) ? null : page;
    }
    return new MemoryImage(pages);
  }

  /** The size of the memory, in pages. */
  public int pageCount() {
    return pages.length;
  }

  /** Page {@code index}, or null when it is all zeros; callers must not write it. */
  byte[] page(int index) {
    return pages[index];
  }

  /** The bytes the image keeps on the heap (its non-zero pages). */
  public long retainedBytes() {
    return retainedBytes;
  }

  static boolean isZero(byte[] page) {
    for (byte b : page) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
