package io.wruntime.engine.host.clocks;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;

import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.io.PollableResource;
import java.time.Instant;
import java.util.List;

/**
 * The host side of {@code wasi:clocks/monotonic-clock} and {@code wasi:clocks/wall-clock} 0.2.x.
 * Monotonic instants are nanoseconds since an arbitrary origin fixed when the engine started.
 */
public final class WasiClocks {
  public static final String MONOTONIC = "wasi:clocks/monotonic-clock";
  public static final String WALL = "wasi:clocks/wall-clock";

  /** The origin of monotonic instants, on the {@link System#nanoTime()} scale. */
  private static final long ORIGIN = System.nanoTime();

  /** Deadlines this far away or more never fire (and {@code nanoTime} arithmetic cannot wrap). */
  private static final long FOREVER = 1L << 62;

  /** Wall-clock resolution reported: what {@link Instant#now()} gives on common platforms. */
  private static final int WALL_RESOLUTION_NANOS = 1_000;

  private WasiClocks() {}

  /** The monotonic clock's {@code now}: nanoseconds since the engine's origin. */
  public static long monotonicNow() {
    return System.nanoTime() - ORIGIN;
  }

  /** Every function of monotonic-clock and wall-clock, with their flat core signatures. */
  public static List<HostFunctionDef> functions() {
    return List.of(
        // () -> instant (u64 nanoseconds)
        new HostFunctionDef(
            MONOTONIC, "now", List.of(), List.of(I64), (c, a) -> new long[] {monotonicNow()}),
        // () -> duration (u64 nanoseconds)
        new HostFunctionDef(
            MONOTONIC, "resolution", List.of(), List.of(I64), (c, a) -> new long[] {1}),
        // (when: instant) -> pollable
        new HostFunctionDef(
            MONOTONIC,
            "subscribe-instant",
            List.of(I64),
            List.of(I32),
            (c, a) -> pollable(c, deadline(ORIGIN, a[0]))),
        // (when: duration) -> pollable
        new HostFunctionDef(
            MONOTONIC,
            "subscribe-duration",
            List.of(I64),
            List.of(I32),
            (c, a) -> pollable(c, deadline(System.nanoTime(), a[0]))),
        // (ret: *datetime) -> (); ret: [0] seconds u64, [8] nanoseconds u32 (16 bytes, align 8)
        new HostFunctionDef(
            WALL,
            "now",
            List.of(I32),
            List.of(),
            (c, a) -> {
              Instant now = Instant.now();
              writeDatetime(c, a[0], now.getEpochSecond(), now.getNano());
              return null;
            }),
        new HostFunctionDef(
            WALL,
            "resolution",
            List.of(I32),
            List.of(),
            (c, a) -> {
              writeDatetime(c, a[0], 0, WALL_RESOLUTION_NANOS);
              return null;
            }));
  }

  /** {@code base + nanos} on the nanoTime scale, or {@link Long#MAX_VALUE} (never) when too far. */
  private static long deadline(long base, long unsignedNanos) {
    if (unsignedNanos < 0 || unsignedNanos >= FOREVER) {
      return Long.MAX_VALUE;
    }
    long deadline = base + unsignedNanos;
    return deadline == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : deadline;
  }

  private static long[] pollable(InstanceContext ctx, long deadline) {
    return new long[] {ctx.resources().add(new PollableResource(() -> false, deadline))};
  }

  private static void writeDatetime(InstanceContext ctx, long ret, long seconds, int nanos) {
    ctx.memory().checkAligned("return area", ret, 8, 16);
    ctx.memory().writeI64("return area", ret, seconds);
    ctx.memory().writeI32("return area", ret + 8, nanos);
  }
}
