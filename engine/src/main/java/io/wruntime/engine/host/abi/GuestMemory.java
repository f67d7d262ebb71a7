package io.wruntime.engine.host.abi;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked access to a guest's linear memory for host functions: the security boundary of the
 * guest ABI. Every pointer and length coming from the guest goes through here and is checked
 * against the memory's current size (and alignment, where the Canonical ABI requires it) before
 * use; a violation throws {@link AbiViolation} naming the argument.
 *
 * <p>Not thread-safe: one instance, one thread.
 */
public final class GuestMemory {
  private final Instance instance;
  private final Memory memory;
  private ExportFunction realloc;

  public GuestMemory(Instance instance) {
    this.instance = requireNonNull(instance, "instance");
    this.memory = instance.memory();
    if (memory == null) {
      throw new AbiViolation(
          "module has no linear memory (expected: an exported or defined memory 0)");
    }
  }

  /**
   * The memory and allocator a component's {@code canon lower} names in its options: {@code
   * realloc} may be null when the lowering has none (the host then cannot allocate).
   */
  public GuestMemory(Memory memory, ExportFunction realloc) {
    this.instance = null;
    this.memory = requireNonNull(memory, "memory");
    this.realloc = realloc;
  }

  /** The size of the memory in bytes now (it may grow during a call). */
  public long size() {
    return (long) memory.pages() * Memory.PAGE_SIZE;
  }

  /** Checks that [ptr, ptr+len) lies inside memory; ptr and len are unsigned 32-bit values. */
  public void checkRange(String what, long ptr, long len) {
    long p = ptr & 0xFFFF_FFFFL;
    long l = len & 0xFFFF_FFFFL;
    if (p + l > size()) {
      throw new AbiViolation(
          what
              + ": range ["
              + p
              + ", "
              + (p + l)
              + ") is outside guest memory of "
              + size()
              + " bytes (expected: a pointer and length within memory)");
    }
  }

  /** Checks that {@code ptr} is aligned to {@code align} bytes and {@code size} bytes fit. */
  public void checkAligned(String what, long ptr, int align, long size) {
    long p = ptr & 0xFFFF_FFFFL;
    if (p % align != 0) {
      throw new AbiViolation(what + ": pointer " + p + " is not aligned to " + align + " bytes");
    }
    checkRange(what, p, size);
  }

  public byte[] readBytes(String what, long ptr, long len) {
    checkRange(what, ptr, len);
    if ((len & 0xFFFF_FFFFL) > Integer.MAX_VALUE) {
      throw new AbiViolation(what + ": length " + len + " is too large");
    }
    return memory.readBytes((int) ptr, (int) len);
  }

  /** Reads a string the guest passed as (ptr, len); it must be valid UTF-8. */
  public String readString(String what, long ptr, long len) {
    byte[] bytes = readBytes(what, ptr, len);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new AbiViolation(what + ": string is not valid UTF-8");
    }
  }

  /**
   * Reads at most the first {@code maxBytes} of a string the guest passed as (ptr, len): the whole
   * range must lie in memory, but only the prefix is copied, cut back to a whole UTF-8 character.
   * For values the host shortens anyway, so that a guest passing the same large string many times
   * does not make the host copy it many times. The prefix must be valid UTF-8.
   */
  public String readStringPrefix(String what, long ptr, long len, int maxBytes) {
    checkRange(what, ptr, len);
    long length = len & 0xFFFF_FFFFL;
    if (length <= maxBytes) {
      return readString(what, ptr, length);
    }
    int end = maxBytes;
    // Back off continuation bytes (10xxxxxx) so the prefix ends before a whole character.
    while (end > 0 && (memory.read((int) (ptr + end)) & 0xC0) == 0x80) {
      end--;
    }
    return readString(what, ptr, end);
  }

  /** The discriminant of a flattened {@code option}: false for none (0), true for some (1). */
  public static boolean option(String what, long flag) {
    return switch ((int) flag) {
      case 0 -> false;
      case 1 -> true;
      default -> throw new AbiViolation(what + ": option case " + flag + " (expected: 0 or 1)");
    };
  }

  public int readU8(String what, long ptr) {
    checkRange(what, ptr, 1);
    return memory.read((int) ptr) & 0xFF;
  }

  public int readU16(String what, long ptr) {
    checkAligned(what, ptr, 2, 2);
    return memory.readShort((int) ptr) & 0xFFFF;
  }

  public int readI32(String what, long ptr) {
    checkAligned(what, ptr, 4, 4);
    return memory.readInt((int) ptr);
  }

  public long readI64(String what, long ptr) {
    checkAligned(what, ptr, 8, 8);
    return memory.readLong((int) ptr);
  }

  public void writeU8(String what, long ptr, int value) {
    checkRange(what, ptr, 1);
    memory.writeByte((int) ptr, (byte) value);
  }

  public void writeU16(String what, long ptr, int value) {
    checkAligned(what, ptr, 2, 2);
    memory.writeShort((int) ptr, (short) value);
  }

  public void writeI32(String what, long ptr, int value) {
    checkAligned(what, ptr, 4, 4);
    memory.writeI32((int) ptr, value);
  }

  public void writeI64(String what, long ptr, long value) {
    checkAligned(what, ptr, 8, 8);
    memory.writeLong((int) ptr, value);
  }

  public void writeBytes(String what, long ptr, byte[] data) {
    checkRange(what, ptr, data.length);
    memory.write((int) ptr, data);
  }

  /**
   * Allocates {@code size} bytes aligned to {@code align} in guest memory through the module's
   * exported {@code cabi_realloc(0, 0, align, size)}, and checks what it returned.
   */
  public int allocate(int align, int size) {
    if (size == 0) {
      return align; // the Canonical ABI never dereferences a zero-length list's pointer
    }
    if (realloc == null && instance == null) {
      throw new AbiViolation(
          "the function's canon lower has no realloc option (expected: a realloc for results the"
              + " host allocates)");
    }
    if (realloc == null) {
      try {
        realloc = instance.export("cabi_realloc");
      } catch (RuntimeException e) {
        realloc = null;
      }
      if (realloc == null) {
        throw new AbiViolation(
            "module does not export cabi_realloc (expected: the Canonical ABI allocator, which"
                + " wit-bindgen and the wruntime SDK export)");
      }
    }
    long ptr = realloc.apply(0, 0, align, size)[0];
    checkAligned("cabi_realloc result", ptr, align, size);
    return (int) ptr;
  }

  /** Copies {@code data} into newly allocated guest memory; returns the pointer. */
  public int allocateBytes(byte[] data) {
    int ptr = allocate(1, data.length);
    if (data.length > 0) {
      memory.write(ptr, data);
    }
    return ptr;
  }

  /** Writes a string as a (ptr, len) pair of UTF-8 at {@code retPtr} (two i32s). */
  public void writeString(String what, long retPtr, String value) {
    writeList(what, retPtr, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a list&lt;u8&gt; as a (ptr, len) pair at {@code retPtr} (two i32s). */
  public void writeList(String what, long retPtr, byte[] data) {
    checkAligned(what, retPtr, 4, 8);
    int ptr = allocateBytes(data);
    memory.writeI32((int) retPtr, ptr);
    memory.writeI32((int) retPtr + 4, data.length);
  }

  /** The underlying Chicory memory, for bulk copies already range-checked by the caller. */
  public Memory raw() {
    return memory;
  }
}
