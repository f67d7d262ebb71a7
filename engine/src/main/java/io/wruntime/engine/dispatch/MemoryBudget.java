package io.wruntime.engine.dispatch;

import io.wruntime.engine.host.snapshot.GrowthBudget;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The engine's memory budget ({@code pool.max_total_memory}): an instance reserves the most linear
 * memory it may grow to before it is created and gives it back when it ends, so the memories of all
 * instances together never exceed the budget, however they grow. A contiguous memory's growth also
 * holds the old array beside the new one while it copies: that transient copy is reserved here too
 * ({@link GrowthBudget}), without waiting, and the grow fails when there is no room. Counted in 64
 * KiB pages.
 */
final class MemoryBudget implements GrowthBudget {
  static final long PAGE = 64 * 1024;

  private final long totalBytes;
  private final int totalPages;
  // Fair: a large reservation is not overtaken forever by small ones.
  private final Semaphore pages;

  MemoryBudget(long totalBytes) {
    if (totalBytes < PAGE) {
      throw new IllegalArgumentException(
          "totalBytes: " + totalBytes + " (expected: >= " + PAGE + ")");
    }
    this.totalBytes = totalBytes;
    this.totalPages = (int) Math.min(Integer.MAX_VALUE, totalBytes / PAGE);
    this.pages = new Semaphore(totalPages, true);
  }

  long totalBytes() {
    return totalBytes;
  }

  /** Bytes reserved by instances now. */
  long reservedBytes() {
    return (long) (totalPages - pages.availablePermits()) * PAGE;
  }

  /** True when a reservation of {@code bytes} can ever succeed. */
  boolean fits(long bytes) {
    return pagesOf(bytes) <= totalPages;
  }

  /**
   * Reserves {@code bytes}, waiting up to {@code wait} for room.
   *
   * @return false when there was no room in time, or never can be
   */
  boolean reserve(long bytes, Duration wait) throws InterruptedException {
    long n = pagesOf(bytes);
    if (n > totalPages) {
      return false;
    }
    return pages.tryAcquire((int) n, wait.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Reserves {@code bytes} if there is room now (a grow's transient copy: it does not wait). */
  @Override
  public boolean tryReserve(long bytes) {
    long n = pagesOf(bytes);
    return n <= totalPages && pages.tryAcquire((int) n);
  }

  /** Gives back a reservation of {@code bytes}. */
  @Override
  public void release(long bytes) {
    pages.release((int) pagesOf(bytes));
  }

  private static long pagesOf(long bytes) {
    return (Math.max(bytes, 0) + PAGE - 1) / PAGE;
  }
}
