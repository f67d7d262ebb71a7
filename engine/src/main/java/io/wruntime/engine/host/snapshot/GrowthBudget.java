package io.wruntime.engine.host.snapshot;

/**
 * Where a {@link ContiguousMemory} reserves the transient copy of a {@code memory.grow} (and of a
 * {@link ContiguousMemory#reset() reset} that shrinks it back): while the memory moves into a new
 * array, the instance holds the old array and the new one, more than the {@code max_memory_size}
 * its request reserved. The engine makes its memory budget {@link #current() current} on the guest
 * thread for the duration of each guest call ({@link #bind}); a memory with none current (tests, a
 * module's initialization at load time) grows without asking.
 */
public interface GrowthBudget {
  /**
   * Takes {@code bytes} from the budget now, without waiting.
   *
   * @return false when there is no room: the grow fails as in a guest out of memory
   */
  boolean tryReserve(long bytes);

  /** Gives back what {@link #tryReserve} took. */
  void release(long bytes);

  /**
   * Makes {@code budget} (null: none) the current thread's until the returned binding is closed,
   * which restores the one before.
   */
  static Binding bind(GrowthBudget budget) {
    GrowthBudget previous = Current.BUDGET.get();
    Current.BUDGET.set(budget);
    return () -> Current.BUDGET.set(previous);
  }

  /** The budget bound on this thread, or null. */
  static GrowthBudget current() {
    return Current.BUDGET.get();
  }

  /** A {@link #bind binding}; closing it does not throw. */
  interface Binding extends AutoCloseable {
    @Override
    void close();
  }

  /** Holder of the per-thread budget (interfaces cannot have private static fields). */
  final class Current {
    // Guest calls run on the engine's platform guest threads, one call at a time per thread.
    private static final ThreadLocal<GrowthBudget> BUDGET = new ThreadLocal<>();

    private Current() {}
  }
}
