/*
 * Shared by the cpu harness's kernels. Each kernel is a WebAssembly reactor that imports nothing
 * and exports run(n): it builds its own input from a fixed seed, does n units of work and returns
 * a checksum of the result, the same on every call and in every runtime.
 */
#ifndef WR_BENCH_KERNEL_H
#define WR_BENCH_KERNEL_H

#include <stdint.h>

#define KERNEL_EXPORT __attribute__((export_name("run")))

/* xorshift32: deterministic input, identical in every runtime. */
static inline uint32_t next_random(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

#endif
