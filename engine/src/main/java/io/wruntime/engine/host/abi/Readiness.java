package io.wruntime.engine.host.abi;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The wake-up signal of one instance's {@code wasi:io/poll}: every source of readiness (bodies,
 * futures, timers) calls {@link #wake()} when its state may have changed; a blocked poll re-checks
 * its pollables then. A generation counter makes a wake between the check and the wait count.
 */
public final class Readiness {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private long generation;

  /** Wakes any poll blocked on this instance; cheap and non-blocking, callable from any thread. */
  public void wake() {
    lock.lock();
    try {
      generation++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The current generation, to pass to {@link #awaitChange} after checking readiness. */
  public long generation() {
    lock.lock();
    try {
      return generation;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Blocks until a wake after {@code seenGeneration}, or {@code timeoutNanos} passed (negative = no
   * timeout). Interruption (the request deadline) propagates.
   */
  public void awaitChange(long seenGeneration, long timeoutNanos) throws InterruptedException {
    lock.lock();
    try {
      long remaining = timeoutNanos;
      while (generation == seenGeneration) {
        if (timeoutNanos < 0) {
          changed.await();
        } else {
          if (remaining <= 0) {
            return;
          }
          remaining = changed.awaitNanos(remaining);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Sleeps for {@code nanos} or until interrupted. */
  public static void sleep(long nanos) throws InterruptedException {
    TimeUnit.NANOSECONDS.sleep(Math.max(0, nanos));
  }
}
