package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Canonical ABI lowering and lifting of the small {@code wasi:http/types} values: {@code method},
 * {@code scheme}, options, results, field lists. Offsets are wasm32's: pointers and lengths are 4
 * bytes, a string or list is (ptr, len).
 */
final class HttpAbi {
  /** The non-{@code other} cases of {@code method}, in WIT order. */
  static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  static final int METHOD_OTHER = 9;
  static final int SCHEME_OTHER = 2;

  /** Most entries the host reads from one guest list of fields or values. */
  static final int MAX_LIST = FieldsResource.MAX_ENTRIES;

  private HttpAbi() {}

  /** An unsigned 32-bit value (pointer, length) from a flat i32 argument. */
  static long u32(long flat) {
    return flat & 0xFFFF_FFFFL;
  }

  /** A 0/1 option or result discriminant from a flat i32 argument. */
  static boolean flag(String what, long flat) {
    long v = u32(flat);
    if (v > 1) {
      throw new AbiViolation(what + ": discriminant " + v + " (expected: 0 or 1)");
    }
    return v == 1;
  }

  // ---- method: variant { get, head, post, put, delete, connect, options, trace, patch,
  //      other(string) }: 12 bytes, align 4; u8 discriminant at 0, other's string at 4

  static void writeMethod(GuestMemory memory, long ptr, String method) {
    memory.checkAligned("method", ptr, 4, 12);
    int known = METHODS.indexOf(method);
    if (known >= 0) {
      memory.writeU8("method", ptr, known);
      return;
    }
    memory.writeU8("method", ptr, METHOD_OTHER);
    memory.writeString("method", ptr + 4, method);
  }

  /** A method from its flat form (discriminant, ptr, len). */
  static String liftMethod(GuestMemory memory, long disc, long ptr, long len) {
    long d = u32(disc);
    if (d < METHOD_OTHER) {
      return METHODS.get((int) d);
    }
    if (d == METHOD_OTHER) {
      return memory.readString("method.other", u32(ptr), len);
    }
    throw new AbiViolation("method: discriminant " + d + " (expected: 0..9)");
  }

  // ---- scheme: variant { HTTP, HTTPS, other(string) }: 12 bytes, align 4;
  //      option<scheme>: 16 bytes, tag at 0, scheme at 4

  static void writeOptionScheme(GuestMemory memory, long ptr, String scheme) {
    memory.checkAligned("option<scheme>", ptr, 4, 16);
    if (scheme == null) {
      memory.writeU8("option<scheme>", ptr, 0);
      return;
    }
    memory.writeU8("option<scheme>", ptr, 1);
    switch (scheme) {
      case "http" -> memory.writeU8("scheme", ptr + 4, 0);
      case "https" -> memory.writeU8("scheme", ptr + 4, 1);
      default -> {
        memory.writeU8("scheme", ptr + 4, SCHEME_OTHER);
        memory.writeString("scheme.other", ptr + 8, scheme);
      }
    }
  }

  /** A scheme from its flat form (discriminant, ptr, len); {@code other} is returned as given. */
  static String liftScheme(GuestMemory memory, long disc, long ptr, long len) {
    long d = u32(disc);
    return switch ((int) Math.min(d, 3)) {
      case 0 -> "http";
      case 1 -> "https";
      case 2 -> memory.readString("scheme.other", u32(ptr), len);
      default -> throw new AbiViolation("scheme: discriminant " + d + " (expected: 0..2)");
    };
  }

  // ---- option<string>: 12 bytes, align 4; tag at 0, (ptr, len) at 4

  static void writeOptionString(GuestMemory memory, String what, long ptr, String value) {
    memory.checkAligned(what, ptr, 4, 12);
    if (value == null) {
      memory.writeU8(what, ptr, 0);
      return;
    }
    memory.writeU8(what, ptr, 1);
    memory.writeString(what, ptr + 4, value);
  }

  // ---- result<own<T>, ()>: 8 bytes, align 4; tag at 0, handle at 4

  static void checkResultHandle(GuestMemory memory, long ptr) {
    memory.checkAligned("result<own, _> return area", ptr, 4, 8);
  }

  static void writeResultHandle(GuestMemory memory, long ptr, int handle) {
    checkResultHandle(memory, ptr);
    memory.writeU8("result", ptr, 0);
    memory.writeI32("result", ptr + 4, handle);
  }

  static void writeResultUnitError(GuestMemory memory, long ptr) {
    checkResultHandle(memory, ptr);
    memory.writeU8("result", ptr, 1);
  }

  /**
   * {@code result<own<T>, ()>} at {@code ptr}, checked before {@code take} runs: the handle of the
   * resource {@code take} returns, or the error where it returns null (e.g. taken before).
   */
  static void writeResultOwn(InstanceContext ctx, long ptr, Supplier<WitResource> take) {
    GuestMemory memory = ctx.memory();
    checkResultHandle(memory, ptr);
    WitResource resource = take.get();
    if (resource == null) {
      writeResultUnitError(memory, ptr);
    } else {
      writeResultHandle(memory, ptr, ctx.resources().add(resource));
    }
  }

  // ---- result<_, header-error>: 2 bytes, align 1; tag at 0, header-error at 1

  static void checkHeaderResult(GuestMemory memory, long ptr) {
    memory.checkRange("result<_, header-error> return area", ptr, 2);
  }

  /** Writes ok when {@code error} is null. */
  static void writeHeaderResult(GuestMemory memory, long ptr, HeaderError error) {
    checkHeaderResult(memory, ptr);
    if (error == null) {
      memory.writeU8("result", ptr, 0);
    } else {
      memory.writeU8("result", ptr, 1);
      memory.writeU8("header-error", ptr + 1, error.ordinal());
    }
  }

  // ---- option<u64> (durations): 16 bytes, align 8; tag at 0, value at 8

  static void writeOptionU64(GuestMemory memory, long ptr, Long value) {
    memory.checkAligned("option<duration>", ptr, 8, 16);
    if (value == null) {
      memory.writeU8("option<duration>", ptr, 0);
    } else {
      memory.writeU8("option<duration>", ptr, 1);
      memory.writeI64("option<duration>", ptr + 8, value);
    }
  }

  // ---- lists

  /**
   * Checks a guest list of {@code count} elements of {@code elementSize} bytes (aligned to 4) lies
   * in memory; returns the count, or -1 when it is over {@link #MAX_LIST}.
   */
  static int listCount(GuestMemory memory, String what, long ptr, long count, int elementSize) {
    long n = u32(count);
    long bytes = n * elementSize;
    if (bytes > 0xFFFF_FFFFL) {
      throw new AbiViolation(
          what + ": " + n + " elements of " + elementSize + " bytes do not fit in guest memory");
    }
    memory.checkAligned(what, u32(ptr), 4, bytes);
    return n > MAX_LIST ? -1 : (int) n;
  }

  /**
   * Reads {@code list<tuple<field-name, field-value>>} (16-byte elements: name ptr, name len, value
   * ptr, value len); null when it has more than {@link #MAX_LIST} entries.
   */
  static List<Field> readFieldList(GuestMemory memory, long ptr, long count) {
    int n = listCount(memory, "fields list", ptr, count, 16);
    if (n < 0) {
      return null;
    }
    List<Field> out = new ArrayList<>(n);
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      long e = u32(ptr) + 16L * i;
      long nameLen = u32(memory.readI32("field-name length", e + 4));
      long valueLen = u32(memory.readI32("field-value length", e + 12));
      bytes += nameLen + valueLen;
      if (bytes > FieldsResource.MAX_BYTES) {
        return null;
      }
      String name = memory.readString("field-name", u32(memory.readI32("field-name", e)), nameLen);
      byte[] value =
          memory.readBytes("field-value", u32(memory.readI32("field-value", e + 8)), valueLen);
      out.add(new Field(name, value));
    }
    return out;
  }

  /**
   * Reads {@code list<field-value>} (8-byte elements: ptr, len); null when it has more than {@link
   * #MAX_LIST} entries or {@link FieldsResource#MAX_BYTES} bytes.
   */
  static List<byte[]> readValueList(GuestMemory memory, long ptr, long count) {
    int n = listCount(memory, "field-value list", ptr, count, 8);
    if (n < 0) {
      return null;
    }
    List<byte[]> out = new ArrayList<>(n);
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      long e = u32(ptr) + 8L * i;
      long len = u32(memory.readI32("field-value length", e + 4));
      bytes += len;
      if (bytes > FieldsResource.MAX_BYTES) {
        return null;
      }
      out.add(memory.readBytes("field-value", u32(memory.readI32("field-value", e)), len));
    }
    return out;
  }

  /** Writes {@code list<list<u8>>} as (ptr, len) at {@code retPtr}. */
  static void writeValueList(GuestMemory memory, long retPtr, List<byte[]> values) {
    memory.checkAligned("list<field-value> return area", retPtr, 4, 8);
    int[] ptrs = new int[values.size()];
    for (int i = 0; i < ptrs.length; i++) {
      ptrs[i] = memory.allocateBytes(values.get(i));
    }
    int array = memory.allocate(4, 8 * ptrs.length);
    for (int i = 0; i < ptrs.length; i++) {
      memory.writeI32("list<field-value>", array + 8L * i, ptrs[i]);
      memory.writeI32("list<field-value>", array + 8L * i + 4, values.get(i).length);
    }
    memory.writeI32("list<field-value>", retPtr, array);
    memory.writeI32("list<field-value>", retPtr + 4, ptrs.length);
  }

  /** Writes {@code list<tuple<field-name, field-value>>} as (ptr, len) at {@code retPtr}. */
  static void writeFieldList(GuestMemory memory, long retPtr, List<Field> fields) {
    memory.checkAligned("list<tuple<field-name, field-value>> return area", retPtr, 4, 8);
    int n = fields.size();
    int[] names = new int[n];
    int[] nameLens = new int[n];
    int[] values = new int[n];
    for (int i = 0; i < n; i++) {
      byte[] name = fields.get(i).name().getBytes(StandardCharsets.UTF_8);
      names[i] = memory.allocateBytes(name);
      nameLens[i] = name.length;
      values[i] = memory.allocateBytes(fields.get(i).value());
    }
    int array = memory.allocate(4, 16 * n);
    for (int i = 0; i < n; i++) {
      long e = array + 16L * i;
      memory.writeI32("fields list", e, names[i]);
      memory.writeI32("fields list", e + 4, nameLens[i]);
      memory.writeI32("fields list", e + 8, values[i]);
      memory.writeI32("fields list", e + 12, fields.get(i).value().length);
    }
    memory.writeI32("fields list", retPtr, array);
    memory.writeI32("fields list", retPtr + 4, n);
  }
}
