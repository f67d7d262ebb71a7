package io.wruntime.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time used so far by the threads of one server in this JVM (by thread-name prefix) or by
 * processes of the machine (Linux {@code /proc}): what a request costs in CPU, which on a machine
 * shared with other work is steadier than its throughput.
 */
final class CpuMeter {
  /** Linux's USER_HZ, the unit of {@code /proc/PID/stat}'s times, on every common platform. */
  private static final long TICK_NANOS = 10_000_000L;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CpuMeter() {}

  /**
   * CPU nanoseconds of the live threads of this JVM whose names start with one of {@code prefixes}.
   */
  static long threads(List<String> prefixes) {
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (prefixes.stream().anyMatch(name::startsWith)) {
        long nanos = THREADS.getThreadCpuTime(t.threadId());
        if (nanos > 0) {
          total += nanos;
        }
      }
    }
    return total;
  }

  /** CPU nanoseconds (user + system) of {@code process} and its descendants; 0 where unreadable. */
  static long processTree(ProcessHandle process) {
    long total = process(process.pid());
    for (ProcessHandle child : process.descendants().toList()) {
      total += process(child.pid());
    }
    return total;
  }

  private static long process(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command, which is in parentheses and may contain spaces.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS; // utime, stime
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
