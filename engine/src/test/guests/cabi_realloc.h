/*
 * The cabi_realloc a guest exports for the host to place returned strings and lists with: libc's
 * allocator, with the Canonical ABI's realloc contract. Defined here, so one include per module.
 */
#ifndef CABI_REALLOC_H
#define CABI_REALLOC_H

#include <stdlib.h>

#include "wasi_raw.h"

EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (new_size == 0) {
    return (void *)align;
  }
  void *p = realloc(old, new_size);
  if (p == NULL) {
    abort();
  }
  return p;
}

#endif
