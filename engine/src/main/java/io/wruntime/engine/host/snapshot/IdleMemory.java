package io.wruntime.engine.host.snapshot;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine-wide bound on what idle instances hold: an instance reset to its snapshot and kept for
 * a later request keeps its whole {@link ContiguousMemory} array (a copy-on-write memory keeps only
 * its block tables). That memory is outside the engine's memory budget, which reserves an
 * instance's {@code max_memory_size} only while a request runs it, so the sum over every module's
 * idle instances is capped here: {@code wruntime.idle-memory-bytes} (default a sixteenth of the
 * maximum heap). An instance that would go past it is discarded instead of kept.
 */
public final class IdleMemory {
  /** The most bytes idle instances may hold at once, over all modules. */
  public static final long LIMIT =
      Long.getLong("wruntime.idle-memory-bytes", Runtime.getRuntime().maxMemory() / 16);

  private static final AtomicLong HELD = new AtomicLong();
  private static final Cleaner CLEANER = Cleaner.create();

  /** What {@link #hold} answers for an instance that holds nothing worth counting. */
  private static final Cleaner.Cleanable NOTHING = () -> {};

  private IdleMemory() {}

  /**
   * Counts the memory {@code instance} keeps while idle, for as long as {@code holder} keeps it:
   * until the returned hold is {@linkplain Cleaner.Cleanable#clean() cleaned} (the instance is
   * taken for a request) or {@code holder} becomes unreachable (its module was replaced).
   *
   * @return null when there is no room: discard the instance
   */
  public static Cleaner.Cleanable hold(Object holder, Instance instance) {
    return hold(
        holder,
        instance.memory() instanceof ContiguousMemory memory
            ? (long) memory.pages() * Memory.PAGE_SIZE
            : 0);
  }

  /** {@link #hold(Object, Instance)} for {@code bytes}. */
  static Cleaner.Cleanable hold(Object holder, long bytes) {
    if (bytes <= 0) {
      return NOTHING;
    }
    while (true) {
      long now = HELD.get();
      if (now + bytes > LIMIT) {
        return null;
      }
      if (HELD.compareAndSet(now, now + bytes)) {
        return CLEANER.register(holder, new Release(bytes));
      }
    }
  }

  /** The bytes idle instances hold now. */
  public static long held() {
    return HELD.get();
  }

  /** Gives a hold's bytes back; holds no reference to the holder (a Cleaner's rule). */
  private record Release(long bytes) implements Runnable {
    @Override
    public void run() {
      HELD.addAndGet(-bytes);
    }
  }
}
