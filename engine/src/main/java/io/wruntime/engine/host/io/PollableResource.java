package io.wruntime.engine.host.io;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.host.abi.WitResource;
import java.util.function.BooleanSupplier;

/**
 * A {@code wasi:io/poll.pollable}: ready when {@code ready} says so, or when the monotonic clock
 * reaches {@code deadlineNanos} ({@link System#nanoTime()} scale; {@link Long#MAX_VALUE} = none).
 * Whatever makes it ready must call the instance's {@code Readiness.wake()} (bodies do through
 * their listeners, futures on completion), so a blocked poll re-checks it.
 */
public final class PollableResource implements WitResource {
  private final BooleanSupplier ready;
  private final long deadlineNanos;

  public PollableResource(BooleanSupplier ready, long deadlineNanos) {
    this.ready = requireNonNull(ready, "ready");
    this.deadlineNanos = deadlineNanos;
  }

  public PollableResource(BooleanSupplier ready) {
    this(ready, Long.MAX_VALUE);
  }

  public boolean isReady() {
    return ready.getAsBoolean()
        || (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0);
  }

  public long deadlineNanos() {
    return deadlineNanos;
  }

  @Override
  public String witName() {
    return "wasi:io/poll.pollable";
  }
}
