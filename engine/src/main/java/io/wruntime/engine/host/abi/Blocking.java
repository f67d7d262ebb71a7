package io.wruntime.engine.host.abi;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;

/**
 * How host functions that block end when the request's thread is interrupted (its deadline): the
 * interrupt status is restored and the instance stops as Chicory stops it in guest code, so the
 * request fails with {@code INTERRUPTED} whether the guest was computing or waiting.
 */
public final class Blocking {
  private Blocking() {}

  /** Restores the interrupt status; throw what it returns. */
  public static RuntimeException interrupted(InterruptedException e) {
    Thread.currentThread().interrupt();
    return new ChicoryInterruptedException("interrupted while blocked in a host call", e);
  }
}
