package io.wruntime.engine.host.abi;

import java.util.ArrayList;
import java.util.List;

/**
 * The resource handle table of one instance. Handles are i32 indices starting at 1 (0 is never a
 * valid handle); a freed slot is reused. Lookups check the handle exists and holds the expected
 * resource type, so a guest cannot confuse the host with a stale or forged handle.
 *
 * <p>Not thread-safe: one instance, one thread.
 */
public final class Resources {
  /** Per-request cap on live handles, so a guest cannot exhaust host memory through handles. */
  public static final int MAX_HANDLES = 65_536;

  private final List<Object> slots = new ArrayList<>();
  private final List<Integer> free = new ArrayList<>();
  private int live;

  public Resources() {
    slots.add(null); // handle 0 is reserved
  }

  /**
   * Adds {@code resource} and returns its handle. When the table is full the call fails as an ABI
   * violation, and a {@link WitResource} it refused is closed first.
   */
  public int add(Object resource) {
    if (resource == null) {
      throw new IllegalArgumentException("resource: null");
    }
    if (live >= MAX_HANDLES) {
      // Not in the table, so the end of the instance would not release it: release it now.
      if (resource instanceof WitResource refused) {
        refused.close();
      }
      throw new AbiViolation("too many live resource handles (limit: " + MAX_HANDLES + ")");
    }
    live++;
    if (!free.isEmpty()) {
      int handle = free.remove(free.size() - 1);
      slots.set(handle, resource);
      return handle;
    }
    slots.add(resource);
    return slots.size() - 1;
  }

  /**
   * The resource of {@code handle}, which must be of {@code type} (named {@code wit} in errors).
   */
  public <T> T get(long handle, Class<T> type, String wit) {
    Object value = lookup(handle, wit);
    if (!type.isInstance(value)) {
      throw new AbiViolation(
          "handle " + unsigned(handle) + " is not a " + wit + " (it is a " + describe(value) + ")");
    }
    return type.cast(value);
  }

  /**
   * Removes and returns the resource of {@code handle} ({@code [resource-drop]} or an owning call).
   */
  public <T> T remove(long handle, Class<T> type, String wit) {
    T value = get(handle, type, wit);
    slots.set((int) handle, null);
    free.add((int) handle);
    live--;
    return value;
  }

  /** Every live resource, for cleanup when the instance ends. */
  public List<Object> all() {
    List<Object> out = new ArrayList<>();
    for (Object o : slots) {
      if (o != null) {
        out.add(o);
      }
    }
    return out;
  }

  private Object lookup(long handle, String wit) {
    if (handle <= 0 || handle >= slots.size() || slots.get((int) handle) == null) {
      throw new AbiViolation("handle " + unsigned(handle) + " is not a live " + wit + " handle");
    }
    return slots.get((int) handle);
  }

  /**
   * A handle as the guest passed it: a core i32, which the Canonical ABI reads as a u32, whether it
   * reaches the host sign-extended or not; so {@code 0xffffffff} prints as 4294967295, not -1.
   */
  public static String unsigned(long handle) {
    return Integer.toUnsignedString((int) handle);
  }

  private static String describe(Object value) {
    if (value instanceof WitResource r) {
      return r.witName();
    }
    return value.getClass().getSimpleName();
  }
}
