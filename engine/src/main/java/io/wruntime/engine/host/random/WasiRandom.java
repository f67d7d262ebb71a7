package io.wruntime.engine.host.random;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;

import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The host side of {@code wasi:random/random}, {@code wasi:random/insecure} and {@code
 * wasi:random/insecure-seed} 0.2.x.
 */
public final class WasiRandom {
  public static final String RANDOM = "wasi:random/random";
  public static final String INSECURE = "wasi:random/insecure";
  public static final String INSECURE_SEED = "wasi:random/insecure-seed";

  /** The most bytes one call returns; a guest asking for more is told so rather than served. */
  public static final int MAX_BYTES = 1024 * 1024;

  private static final SecureRandom SECURE = new SecureRandom();

  private WasiRandom() {}

  /** Every function of random, insecure and insecure-seed. */
  public static List<HostFunctionDef> functions() {
    return List.of(
        // (len: u64, ret: *list<u8>) -> (); ret: [0] ptr, [4] len
        new HostFunctionDef(
            RANDOM,
            "get-random-bytes",
            List.of(I64, I32),
            List.of(),
            (c, a) -> bytes(c, a, SECURE)),
        new HostFunctionDef(
            RANDOM,
            "get-random-u64",
            List.of(),
            List.of(I64),
            (c, a) -> new long[] {SECURE.nextLong()}),
        new HostFunctionDef(
            INSECURE,
            "get-insecure-random-bytes",
            List.of(I64, I32),
            List.of(),
            (c, a) -> bytes(c, a, ThreadLocalRandom.current())),
        new HostFunctionDef(
            INSECURE,
            "get-insecure-random-u64",
            List.of(),
            List.of(I64),
            (c, a) -> new long[] {ThreadLocalRandom.current().nextLong()}),
        // (ret: *tuple<u64, u64>) -> (); ret: [0] u64, [8] u64; the same for the whole instance
        new HostFunctionDef(
            INSECURE_SEED,
            "insecure-seed",
            List.of(I32),
            List.of(),
            (c, a) -> {
              Seed seed = c.state(Seed.class, Seed::create);
              c.memory().checkAligned("return area", a[0], 8, 16);
              c.memory().writeI64("return area", a[0], seed.first());
              c.memory().writeI64("return area", a[0] + 8, seed.second());
              return null;
            }));
  }

  private static long[] bytes(InstanceContext ctx, long[] a, Random random) {
    if (a[0] < 0 || a[0] > MAX_BYTES) {
      throw new AbiViolation(
          "len: "
              + Long.toUnsignedString(a[0])
              + " random bytes asked for (expected: at most "
              + MAX_BYTES
              + " per call)");
    }
    ctx.memory().checkAligned("return area", a[1], 4, 8);
    byte[] data = new byte[(int) a[0]];
    random.nextBytes(data);
    ctx.memory().writeList("return area", a[1], data);
    return null;
  }

  /**
   * The instance's seed, drawn once when it first asks, from {@link SecureRandom}: not from the
   * thread's {@code ThreadLocalRandom}, whose next values a guest could predict from the insecure
   * values it was given on that thread, and so the seeds of the instances after it (a hash table
   * seeded from it is meant to resist chosen collisions).
   */
  private record Seed(long first, long second) {
    static Seed create() {
      return new Seed(SECURE.nextLong(), SECURE.nextLong());
    }
  }
}
