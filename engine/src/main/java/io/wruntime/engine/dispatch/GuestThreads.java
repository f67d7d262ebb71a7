package io.wruntime.engine.dispatch;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The platform threads guest code runs on, {@code pool.guest_threads} of them, apart from the event
 * loops, admin endpoints, health probes and heartbeats. Platform threads because a guest looping
 * without host calls is never preempted on a virtual thread: it would pin a carrier, and as many of
 * them as cores would stall every virtual thread of the process. The OS preempts a platform thread,
 * so a spinning guest slows the node down but cannot stop it.
 *
 * <p>The dispatcher runs a task here only while it holds one of {@link #size()} permits, so the
 * queue never holds more than the tasks of threads finishing their previous one.
 */
final class GuestThreads {
  private final ThreadPoolExecutor executor;

  GuestThreads(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
    }
    executor =
        new ThreadPoolExecutor(
            size,
            size,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            Thread.ofPlatform().name("wr-guest-", 0).daemon().factory());
    // Idle threads go away: an engine sized for peaks does not keep them all.
    executor.allowCoreThreadTimeOut(true);
  }

  int size() {
    return executor.getMaximumPoolSize();
  }

  /**
   * Runs {@code task} on a guest thread.
   *
   * @throws RejectedExecutionException once shut down
   */
  void execute(Runnable task) {
    executor.execute(task);
  }

  /** Stops the threads; tasks still running were interrupted by the dispatcher already. */
  void shutdown() {
    executor.shutdownNow();
  }
}
