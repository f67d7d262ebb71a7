package io.wruntime.proxy.http;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests in flight per caller, capped: one calling node (or module) cannot take every request
 * slot of the proxy. A caller has an entry only while it has requests in flight, so callers that
 * come and go leave nothing behind.
 */
final class CallerLimits {
  /** No cap (handler tests). */
  static final CallerLimits NONE = new CallerLimits(Integer.MAX_VALUE, "none");

  private final int max;
  private final String configKey;
  private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

  /**
   * @param max requests one caller may have in flight
   * @param configKey the {@code [limits]} key of {@code max}, for messages
   */
  CallerLimits(int max, String configKey) {
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: at least 1)");
    }
    this.max = max;
    this.configKey = configKey;
  }

  /** Takes a slot for {@code caller}; false when it already has {@link #max()} in flight. */
  boolean tryAcquire(String caller) {
    boolean[] taken = new boolean[1];
    inFlight.compute(
        caller,
        (k, n) -> {
          int current = n == null ? 0 : n;
          if (current >= max) {
            return n;
          }
          taken[0] = true;
          return current + 1;
        });
    return taken[0];
  }

  /** Gives back a slot {@link #tryAcquire} took. */
  void release(String caller) {
    inFlight.computeIfPresent(caller, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Requests in flight of {@code caller}. */
  int inFlight(String caller) {
    return inFlight.getOrDefault(caller, 0);
  }

  int max() {
    return max;
  }

  String configKey() {
    return configKey;
  }
}
