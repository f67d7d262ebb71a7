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
   * The {@code traceparent} an outgoing call carries: {@code context} itself (the span the call is
   * made from: the engine puts its {@code engine.dispatch} span there), as version 00, so that the
   * callee's spans are its children. A fresh trace when {@code context} is null or not a valid
   * {@code traceparent}.
   */
  public static String propagate(String context) {
    if (context != null) {
      var m = FORMAT.matcher(context.trim());
      if (m.matches()
          && !m.group(1).equals("ff")
          && !m.group(2).equals(ZERO_TRACE)
          && !m.group(3).equals(ZERO_SPAN)
          && (m.group(5) == null || !m.group(1).equals("00"))) {
        return "00-" + m.group(2) + "-" + m.group(3) + "-" + m.group(4);
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
