/* Dense matrix multiply, C = A x B with 200 x 200 doubles, n times (B perturbed each pass). */
#include "kernel.h"

#define SIZE 200

static double a[SIZE][SIZE];
static double b[SIZE][SIZE];
static double c[SIZE][SIZE];

static void multiply(void) {
  for (int i = 0; i < SIZE; i++) {
    for (int j = 0; j < SIZE; j++) {
      c[i][j] = 0.0;
    }
    for (int k = 0; k < SIZE; k++) {
      double aik = a[i][k];
      for (int j = 0; j < SIZE; j++) {
        c[i][j] += aik * b[k][j];
      }
    }
  }
}

KERNEL_EXPORT uint32_t run(uint32_t n) {
  uint32_t seed = 12345;
  for (int i = 0; i < SIZE; i++) {
    for (int j = 0; j < SIZE; j++) {
      a[i][j] = (double)(next_random(&seed) % 1000) / 100.0;
      b[i][j] = (double)(next_random(&seed) % 1000) / 100.0;
    }
  }
  double trace = 0.0;
  for (uint32_t pass = 0; pass < n; pass++) {
    b[pass % SIZE][pass % SIZE] += 1.0;
    multiply();
    for (int i = 0; i < SIZE; i++) {
      trace += c[i][i];
    }
  }
  /* Exact in both runtimes: the same IEEE operations in the same order. */
  return (uint32_t)(uint64_t)trace;
}
