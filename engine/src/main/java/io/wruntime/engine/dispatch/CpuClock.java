package io.wruntime.engine.dispatch;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of guest threads, from the JVM's {@link ThreadMXBean}: user and system time the thread
 * ran, so time a request waits (for a body, an outgoing call, the scheduler) does not count.
 * Defined for platform threads only, which is what guests run on.
 */
final class CpuClock {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final boolean supported;

  CpuClock() {
    boolean ok = threads.isThreadCpuTimeSupported();
    if (ok && !threads.isThreadCpuTimeEnabled()) {
      try {
        threads.setThreadCpuTimeEnabled(true);
      } catch (UnsupportedOperationException | SecurityException e) {
        ok = false;
      }
    }
    this.supported = ok;
  }

  /** False when this JVM cannot measure thread CPU time: nothing is counted or enforced then. */
  boolean supported() {
    return supported;
  }

  /** CPU time of the calling thread in nanoseconds, or 0 when not supported. */
  long current() {
    return supported ? threads.getCurrentThreadCpuTime() : 0;
  }

  /** CPU time of {@code thread} in nanoseconds, or -1 when it ended or is not measurable. */
  long of(Thread thread) {
    return supported ? threads.getThreadCpuTime(thread.threadId()) : -1;
  }
}
