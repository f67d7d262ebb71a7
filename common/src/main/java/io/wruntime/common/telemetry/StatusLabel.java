package io.wruntime.common.telemetry;

import java.util.Set;

/**
 * The {@code status} label of request metrics: a status code that HTTP defines, as it is ({@code
 * 200}, {@code 503}), or its class ({@code 2xx}, {@code 5xx}) for any other code a module or an
 * external host may answer, so a caller cannot mint a new series per code. {@code other} for what
 * is not a status at all.
 */
public final class StatusLabel {
  /** Codes of RFC 9110 and the common extensions, plus 499 (the client went away first). */
  private static final Set<Integer> KNOWN =
      Set.of(
          100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303,
          304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413,
          414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 499, 500, 501,
          502, 503, 504, 505, 506, 507, 508, 510, 511);

  private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

  private StatusLabel() {}

  /** The label value of {@code status}. */
  public static String of(int status) {
    if (KNOWN.contains(status)) {
      return Integer.toString(status);
    }
    if (status >= 100 && status <= 599) {
      return CLASSES[status / 100 - 1];
    }
    return "other";
  }
}
