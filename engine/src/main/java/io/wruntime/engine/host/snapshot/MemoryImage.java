package io.wruntime.engine.host.snapshot;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.runtime.Memory;
import java.util.Arrays;

/**
 * The contents of a linear memory at one moment, as 4 KiB blocks that are never written again:
 * {@link CopyOnWriteMemory}s share them until they write. All-zero blocks are not kept.
 */
public final class MemoryImage {
  private static final int BLOCK_SIZE = CopyOnWriteMemory.BLOCK_SIZE;

  private static final byte[] ZERO_BLOCK = new byte[BLOCK_SIZE];

  private final byte[][] blocks;
  private final long retainedBytes;

  /** {@code blocks[i]} is block i, or null when it is all zeros; the arrays are not copied. */
  MemoryImage(byte[][] blocks) {
    this.blocks = requireNonNull(blocks, "blocks");
    if (blocks.length % CopyOnWriteMemory.BLOCKS_PER_PAGE != 0) {
      throw new IllegalArgumentException(
          blocks.length + " blocks (expected: whole pages of " + Memory.PAGE_SIZE + " bytes)");
    }
    long kept = 0;
    for (byte[] block : blocks) {
      if (block != null) {
        if (block.length != BLOCK_SIZE) {
          throw new IllegalArgumentException(
              "block of " + block.length + " bytes (expected: " + BLOCK_SIZE + ")");
        }
        kept += block.length;
      }
    }
    this.retainedBytes = kept;
  }

  /** Copies {@code memory}'s contents (all-zero blocks are not kept). */
  public static MemoryImage of(Memory memory) {
    requireNonNull(memory, "memory");
    if (memory instanceof CopyOnWriteMemory cow) {
      return cow.image();
    }
    byte[][] blocks = new byte[memory.pages() * CopyOnWriteMemory.BLOCKS_PER_PAGE][];
    for (int i = 0; i < blocks.length; i++) {
      byte[] block = memory.readBytes(i * BLOCK_SIZE, BLOCK_SIZE);
      blocks[i] = isZero(block) ? null : block;
    }
    return new MemoryImage(blocks);
  }

  /** The size of the memory, in 64 KiB pages. */
  public int pageCount() {
    return blocks.length / CopyOnWriteMemory.BLOCKS_PER_PAGE;
  }

  /** Block {@code index}, or null when it is all zeros; callers must not write it. */
  byte[] block(int index) {
    return blocks[index];
  }

  /**
   * Copies the whole image into {@code dest}, as long as the image; its zero blocks are skipped.
   */
  void copyInto(byte[] dest) {
    for (int i = 0; i < blocks.length; i++) {
      if (blocks[i] != null) {
        System.arraycopy(blocks[i], 0, dest, i * BLOCK_SIZE, BLOCK_SIZE);
      }
    }
  }

  /**
   * Makes block {@code index} of {@code dest} (a memory as large as the image) equal to the image's
   * again; true when it differed and was copied back.
   */
  boolean restoreBlock(int index, byte[] dest) {
    byte[] block = blocks[index];
    byte[] expected = block == null ? ZERO_BLOCK : block;
    int at = index * BLOCK_SIZE;
    if (Arrays.mismatch(dest, at, at + BLOCK_SIZE, expected, 0, BLOCK_SIZE) < 0) {
      return false;
    }
    System.arraycopy(expected, 0, dest, at, BLOCK_SIZE);
    return true;
  }

  /** The bytes the image keeps on the heap (its non-zero blocks). */
  public long retainedBytes() {
    return retainedBytes;
  }

  static boolean isZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
