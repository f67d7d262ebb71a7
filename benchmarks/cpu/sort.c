/* Sorts 262144 pseudo-random 32-bit keys with a quicksort (median of three, insertion sort for
 * short runs), n times from the same input, and checks the order. */
#include "kernel.h"

#define COUNT (1u << 18)

static uint32_t keys[COUNT];

static void insertion_sort(uint32_t *v, int32_t lo, int32_t hi) {
  for (int32_t i = lo + 1; i <= hi; i++) {
    uint32_t x = v[i];
    int32_t j = i - 1;
    while (j >= lo && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
}

static void swap(uint32_t *v, int32_t i, int32_t j) {
  uint32_t t = v[i];
  v[i] = v[j];
  v[j] = t;
}

static void quicksort(uint32_t *v, int32_t lo, int32_t hi) {
  while (hi - lo > 16) {
    int32_t mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo]) swap(v, mid, lo);
    if (v[hi] < v[lo]) swap(v, hi, lo);
    if (v[hi] < v[mid]) swap(v, hi, mid);
    uint32_t pivot = v[mid];
    int32_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        swap(v, i, j);
        i++;
        j--;
      }
    }
    /* Recurse into the smaller side: the stack stays logarithmic. */
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
  insertion_sort(v, lo, hi);
}

KERNEL_EXPORT uint32_t run(uint32_t n) {
  uint32_t checksum = 0;
  for (uint32_t pass = 0; pass < n; pass++) {
    uint32_t seed = 88172645u + pass;
    for (uint32_t i = 0; i < COUNT; i++) {
      keys[i] = next_random(&seed);
    }
    quicksort(keys, 0, (int32_t)COUNT - 1);
    for (uint32_t i = 1; i < COUNT; i++) {
      if (keys[i - 1] > keys[i]) return 0;
    }
    checksum = checksum * 31 + keys[COUNT / 2] + keys[COUNT - 1];
  }
  return checksum;
}
