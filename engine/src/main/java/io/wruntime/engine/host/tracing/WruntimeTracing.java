package io.wruntime.engine.host.tracing;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.wasm.types.ValType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import java.util.Collections;
import java.util.List;

/**
 * {@code wruntime:tracing/span@0.1.x} (wit/tracing/span.wit), lowered onto core modules by the
 * Canonical ABI: {@code start} and {@code start-root} return {@code result<own<span>, error>}
 * through a 16-byte return area (u8 case at 0; the handle at 4, or the error's u8 case at 4 and its
 * string at 8); {@code attribute-value} is flat as (i32 case, i64, i32) and 24 bytes in a list (u8
 * case at 8, payload at 16, after the key's string at 0).
 */
public final class WruntimeTracing {
  static final String IFACE = "wruntime:tracing/span";

  /** The longest span or event name, and attribute key, in bytes. */
  static final int MAX_NAME_BYTES = 256;

  /** Text values and error descriptions longer than this (in characters) are cut. */
  static final int MAX_TEXT_CHARS = 4096;

  /** Attributes read per event; the rest of a longer list is ignored. */
  static final int MAX_EVENT_ATTRIBUTES = 128;

  private static final int ATTRIBUTE_SIZE = 24;
  private static final long[] NONE = null;
  private static final List<ValType> I32 = List.of(ValType.I32);

  private WruntimeTracing() {}

  /** Every function of the interface, recording spans with {@code tracer}. */
  public static List<HostFunctionDef> functions(Tracer tracer) {
    requireNonNull(tracer, "tracer");
    return List.of(
        def("start", i32s(3), (ctx, a) -> start(ctx, tracer, a, false)),
        def("start-root", i32s(3), (ctx, a) -> start(ctx, tracer, a, true)),
        def(
            "[method]span.set-attribute",
            List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I64, ValType.I32),
            WruntimeTracing::setAttribute),
        def("[method]span.record-event", i32s(5), WruntimeTracing::recordEvent),
        def("[method]span.set-error", i32s(3), WruntimeTracing::setError),
        def(
            "[resource-drop]span",
            I32,
            (ctx, a) -> {
              ctx.resources().remove(a[0], SpanResource.class, SpanResource.WIT).close();
              return NONE;
            }));
  }

  private static HostFunctionDef def(String name, List<ValType> params, HostFunctionDef.Impl impl) {
    return new HostFunctionDef(IFACE, name, params, List.of(), impl);
  }

  private static List<ValType> i32s(int n) {
    return Collections.nCopies(n, ValType.I32);
  }

  private static long[] start(InstanceContext ctx, Tracer tracer, long[] a, boolean root) {
    GuestMemory m = ctx.memory();
    long ret = a[2];
    m.checkAligned("return area", ret, 4, 16);
    m.checkRange("name", a[0], a[1]);
    ModuleSpans spans = ctx.state(ModuleSpans.class, () -> new ModuleSpans(tracer, ctx));
    long length = a[1] & 0xFFFF_FFFFL;
    if (length == 0 || length > MAX_NAME_BYTES) {
      writeError(
          m,
          ret,
          1,
          "span name of "
              + length
              + " bytes (expected: 1 to "
              + MAX_NAME_BYTES
              + " bytes of UTF-8)");
      return NONE;
    }
    String name = m.readString("name", a[0], a[1]);
    SpanResource span = spans.start(name, root);
    if (span == null) {
      writeError(
          m,
          ret,
          0,
          "span \""
              + name
              + "\" not started: this request already started "
              + spans.maxSpans()
              + " spans (expected: at most max_spans = "
              + spans.maxSpans()
              + " per request)");
      return NONE;
    }
    int handle = ctx.resources().add(span);
    m.writeU8("result", ret, 0);
    m.writeI32("span", ret + 4, handle);
    return NONE;
  }

  private static void writeError(GuestMemory m, long ret, int kind, String message) {
    m.writeU8("result", ret, 1);
    m.writeU8("error", ret + 4, kind);
    m.writeString("error", ret + 8, message);
  }

  private static long[] setAttribute(InstanceContext ctx, long[] a) {
    Span span = span(ctx, a[0]);
    GuestMemory m = ctx.memory();
    String key = key(m, a[1], a[2]);
    AttributesBuilder one = Attributes.builder();
    putValue(m, one, key, (int) a[3], a[4], a[5]);
    if (key != null) {
      span.setAllAttributes(one.build());
    }
    return NONE;
  }

  private static long[] recordEvent(InstanceContext ctx, long[] a) {
    Span span = span(ctx, a[0]);
    GuestMemory m = ctx.memory();
    long nameLength = a[2] & 0xFFFF_FFFFL;
    m.checkRange("name", a[1], nameLength);
    long count = a[4] & 0xFFFF_FFFFL;
    // GuestMemory checks lengths as u32: a list whose byte size overflows 32 bits is refused here.
    long bytes = count * ATTRIBUTE_SIZE;
    if (bytes > m.size()) {
      throw new AbiViolation(
          "attributes: "
              + count
              + " attributes of "
              + ATTRIBUTE_SIZE
              + " bytes do not fit in guest memory of "
              + m.size()
              + " bytes (expected: a list within memory)");
    }
    m.checkAligned("attributes", a[3], 8, bytes);
    AttributesBuilder attributes = Attributes.builder();
    long base = a[3] & 0xFFFF_FFFFL;
    for (long i = 0; i < Math.min(count, MAX_EVENT_ATTRIBUTES); i++) {
      long at = base + i * ATTRIBUTE_SIZE;
      String key = key(m, m.readI32("attribute key", at), m.readI32("attribute key", at + 4));
      int kind = m.readU8("attribute-value", at + 8);
      long payload;
      long second = 0;
      switch (kind) {
        case 0 -> {
          payload = m.readI32("attribute text", at + 16) & 0xFFFF_FFFFL;
          second = m.readI32("attribute text", at + 20);
        }
        case 1, 2 -> payload = m.readI64("attribute-value", at + 16);
        case 3 -> payload = m.readU8("attribute-value", at + 16);
        default -> throw badCase(kind);
      }
      putValue(m, attributes, key, kind, payload, second);
    }
    if (nameLength == 0 || nameLength > MAX_NAME_BYTES) {
      return NONE; // as an attribute with a bad key: ignored, the guest was checked all the same
    }
    span.addEvent(m.readString("name", a[1], nameLength), attributes.build());
    return NONE;
  }

  private static long[] setError(InstanceContext ctx, long[] a) {
    Span span = span(ctx, a[0]);
    String message = ctx.memory().readStringPrefix("message", a[1], a[2], MAX_TEXT_CHARS * 4);
    span.setStatus(StatusCode.ERROR, cut(message));
    return NONE;
  }

  private static Span span(InstanceContext ctx, long handle) {
    return ctx.resources().get(handle, SpanResource.class, SpanResource.WIT).span();
  }

  /** The key, or null when it is empty or longer than {@link #MAX_NAME_BYTES} (ignored). */
  private static String key(GuestMemory m, long ptr, long len) {
    long length = len & 0xFFFF_FFFFL;
    m.checkRange("key", ptr, length);
    if (length == 0 || length > MAX_NAME_BYTES) {
      return null;
    }
    return m.readString("key", ptr, length);
  }

  /** Adds the attribute-value of case {@code kind} with flat payload (payload, second). */
  private static void putValue(
      GuestMemory m, AttributesBuilder out, String key, int kind, long payload, long second) {
    switch (kind) {
      case 0 -> {
        if ((payload >>> 32) != 0) {
          throw new AbiViolation("attribute text: pointer " + payload + " is not a 32-bit value");
        }
        // Cut to MAX_TEXT_CHARS anyway: copy no more than that many characters can take.
        String text = m.readStringPrefix("attribute text", payload, second, MAX_TEXT_CHARS * 4);
        if (key != null) {
          out.put(key, cut(text));
        }
      }
      case 1 -> {
        if (key != null) {
          out.put(key, payload);
        }
      }
      case 2 -> {
        if (key != null) {
          out.put(key, Double.longBitsToDouble(payload));
        }
      }
      case 3 -> {
        if (key != null) {
          out.put(key, payload != 0);
        }
      }
      default -> throw badCase(kind);
    }
  }

  private static AbiViolation badCase(int kind) {
    return new AbiViolation(
        "attribute-value: case " + kind + " (expected: 0 text, 1 integer, 2 float, 3 boolean)");
  }

  private static String cut(String text) {
    if (text.length() <= MAX_TEXT_CHARS) {
      return text;
    }
    int end = MAX_TEXT_CHARS;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }
}
