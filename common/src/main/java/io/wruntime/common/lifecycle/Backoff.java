package io.wruntime.common.lifecycle;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt to reach a peer that did not answer: {@code first},
 * doubling after each failure up to {@code max}, plus up to a fifth at random so that the many
 * clients of one server (the proxies of a manager, the engines of a proxy) do not come back in
 * lockstep. {@link #reset()} after a success. Thread-safe.
 */
public final class Backoff {
  private final Duration first;
  private final Duration max;
  private Duration next;

  public Backoff(Duration first, Duration max) {
    this.first = requireNonNull(first, "first");
    this.max = requireNonNull(max, "max");
    if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException(
          "first: " + first + ", max: " + max + " (expected: 0 < first <= max)");
    }
    this.next = first;
  }

  /** The wait before the next attempt (with its jitter); the one after is twice as long. */
  public synchronized Duration next() {
    Duration wait = next;
    next = wait.multipliedBy(2).compareTo(max) > 0 ? max : wait.multipliedBy(2);
    long millis = wait.toMillis();
    return Duration.ofMillis(millis + ThreadLocalRandom.current().nextLong(millis / 5 + 1));
  }

  /** After a success: the next wait is {@code first} again. */
  public synchronized void reset() {
    next = first;
  }

  /** The longest wait, jitter aside. */
  public Duration max() {
    return max;
  }
}
