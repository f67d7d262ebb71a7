package io.wruntime.engine.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of bodies held in engine memory between the network and their reader, now and at the
 * highest point. Backpressure keeps this bounded whatever the body sizes: the figure shows it.
 */
public final class BufferGauge {
  private final AtomicLong current = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();

  void add(long bytes) {
    long now = current.addAndGet(bytes);
    peak.accumulateAndGet(now, Math::max);
  }

  void remove(long bytes) {
    current.addAndGet(-bytes);
  }

  /** Bytes buffered now. */
  public long current() {
    return current.get();
  }

  /** The most bytes buffered at any one time since the start (or the last {@link #resetPeak}). */
  public long peak() {
    return peak.get();
  }

  /** Starts a new peak measurement from the current level. */
  public void resetPeak() {
    peak.set(current.get());
  }
}
