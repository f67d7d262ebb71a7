package io.wruntime.proxy.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Body bytes the proxy holds in memory: messages handed to a channel and not yet written to its
 * socket, and bodies buffered for validation. Backpressure keeps this bounded whatever the body
 * sizes; the figure (now and at its highest) shows that it does.
 */
public final class BufferedBytes {
  private final AtomicLong current = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();

  void add(long bytes) {
    long now = current.addAndGet(bytes);
    peak.accumulateAndGet(now, Math::max);
  }

  void remove(long bytes) {
    current.addAndGet(-bytes);
  }

  /** Bytes held now. */
  public long current() {
    return current.get();
  }

  /** The most bytes held at one time since the start or the last {@link #resetPeak()}. */
  public long peak() {
    return peak.get();
  }

  /** Starts a new peak measurement from the current level. */
  public void resetPeak() {
    peak.set(current.get());
  }
}
