package io.wruntime.engine.host.io;

import static com.dylibso.chicory.wasm.types.ValType.I32;

import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.Blocking;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.abi.Readiness;
import io.wruntime.engine.host.abi.Resources;
import java.util.ArrayList;
import java.util.List;

/** The host side of {@code wasi:io/poll} 0.2.x. */
public final class WasiIoPoll {
  public static final String IFACE = "wasi:io/poll";
  static final String POLLABLE = "wasi:io/poll.pollable";

  private WasiIoPoll() {}

  /** Every function of {@code wasi:io/poll}. */
  public static List<HostFunctionDef> functions() {
    return List.of(
        // (self: pollable) -> bool
        new HostFunctionDef(
            IFACE,
            "[method]pollable.ready",
            List.of(I32),
            List.of(I32),
            (ctx, a) -> {
              PollableResource p = ctx.resources().get(a[0], PollableResource.class, POLLABLE);
              return new long[] {p.isReady() ? 1 : 0};
            }),
        // (self: pollable) -> ()
        new HostFunctionDef(
            IFACE,
            "[method]pollable.block",
            List.of(I32),
            List.of(),
            (ctx, a) -> {
              PollableResource p = ctx.resources().get(a[0], PollableResource.class, POLLABLE);
              await(ctx.readiness(), List.of(p));
              return null;
            }),
        // (in.ptr: i32, in.len: i32, ret: *list<u32>) -> (); in: list<borrow<pollable>> as i32s;
        // ret: [ptr: i32, len: i32] of u32 indices into `in`, allocated through cabi_realloc.
        new HostFunctionDef(
            IFACE, "poll", List.of(I32, I32, I32), List.of(), (ctx, a) -> poll(ctx, a)),
        new HostFunctionDef(
            IFACE,
            "[resource-drop]pollable",
            List.of(I32),
            List.of(),
            (ctx, a) -> {
              ctx.resources().remove(a[0], PollableResource.class, POLLABLE).close();
              return null;
            }));
  }

  private static long[] poll(InstanceContext ctx, long[] a) {
    GuestMemory memory = ctx.memory();
    long len = a[1] & 0xFFFF_FFFFL;
    if (len == 0) {
      throw new AbiViolation("in: the list of pollables is empty (expected: at least one)");
    }
    if (len > Resources.MAX_HANDLES) {
      throw new AbiViolation(
          "in: " + len + " pollables (expected: at most " + Resources.MAX_HANDLES + ")");
    }
    memory.checkAligned("in", a[0], 4, len * 4);
    memory.checkAligned("return area", a[2], 4, 8);
    List<PollableResource> pollables = new ArrayList<>((int) len);
    for (int i = 0; i < len; i++) {
      int handle = memory.readI32("in", a[0] + 4L * i);
      pollables.add(ctx.resources().get(handle, PollableResource.class, POLLABLE));
    }
    int[] ready = await(ctx.readiness(), pollables);
    byte[] out = new byte[ready.length * 4];
    for (int i = 0; i < ready.length; i++) {
      int v = ready[i];
      out[4 * i] = (byte) v;
      out[4 * i + 1] = (byte) (v >>> 8);
      out[4 * i + 2] = (byte) (v >>> 16);
      out[4 * i + 3] = (byte) (v >>> 24);
    }
    int ptr = memory.allocate(4, out.length);
    memory.writeBytes("poll result", ptr, out);
    memory.writeI32("return area", a[2], ptr);
    memory.writeI32("return area", a[2] + 4, ready.length);
    return null;
  }

  /**
   * Blocks until at least one of {@code pollables} is ready; returns the indices of those that are.
   * Waits on the instance's readiness signal, woken by whatever can make a pollable ready, with the
   * earliest clock deadline among them as the timeout.
   */
  public static int[] await(Readiness readiness, List<PollableResource> pollables) {
    try {
      while (true) {
        long generation = readiness.generation();
        int[] ready = readyIndices(pollables);
        if (ready.length > 0) {
          return ready;
        }
        long deadline = Long.MAX_VALUE;
        for (PollableResource p : pollables) {
          if (p.deadlineNanos() != Long.MAX_VALUE
              && (deadline == Long.MAX_VALUE || p.deadlineNanos() - deadline < 0)) {
            deadline = p.deadlineNanos();
          }
        }
        long timeout = deadline == Long.MAX_VALUE ? -1 : Math.max(1, deadline - System.nanoTime());
        readiness.awaitChange(generation, timeout);
      }
    } catch (InterruptedException e) {
      throw Blocking.interrupted(e);
    }
  }

  private static int[] readyIndices(List<PollableResource> pollables) {
    int[] ready = new int[pollables.size()];
    int n = 0;
    for (int i = 0; i < pollables.size(); i++) {
      if (pollables.get(i).isReady()) {
        ready[n++] = i;
      }
    }
    return java.util.Arrays.copyOf(ready, n);
  }
}
