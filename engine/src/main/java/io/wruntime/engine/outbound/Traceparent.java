package io.wruntime.engine.outbound;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** W3C trace context {@code traceparent} values: {@code 00-<trace id>-<span id>-<flags>}. */
public final class Traceparent {
  private static final Pattern FORMAT =
      Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_SPAN = "0".repeat(16);
  private static final HexFormat HEX = HexFormat.of();

  private Traceparent() {}

  /**
   * A child of {@code parent}: the same trace id and flags, a new span id. A fresh trace when
   * {@code parent} is null or not a valid {@code traceparent}.
   */
  public static String child(String parent) {
    if (parent != null) {
      var m = FORMAT.matcher(parent.trim());
      if (m.matches()
          && !m.group(1).equals("ff")
          && !m.group(2).equals(ZERO_TRACE)
          && !m.group(3).equals(ZERO_SPAN)
          && (m.group(5) == null || !m.group(1).equals("00"))) {
        return "00-" + m.group(2) + "-" + newSpanId() + "-" + m.group(4);
      }
    }
    return fresh();
  }

  /** A new sampled trace. */
  public static String fresh() {
    return "00-" + newTraceId() + "-" + newSpanId() + "-01";
  }

  /** The trace id of a valid {@code traceparent}, or null. */
  public static String traceId(String traceparent) {
    if (traceparent == null) {
      return null;
    }
    var m = FORMAT.matcher(traceparent.trim());
    return m.matches() ? m.group(2) : null;
  }

  private static String newTraceId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long hi;
    long lo;
    do {
      hi = random.nextLong();
      lo = random.nextLong();
    } while (hi == 0 && lo == 0);
    return HEX.toHexDigits(hi) + HEX.toHexDigits(lo);
  }

  private static String newSpanId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == 0);
    return HEX.toHexDigits(id);
  }
}
