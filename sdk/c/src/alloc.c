/*
 * cabi_realloc: the allocator the host calls to place strings and lists it returns into guest
 * memory (Canonical ABI). Backed by malloc, plus one lent buffer for stream reads.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The buffer lent by the current read, its capacity, and whether the host has been given it. */
static void *lent_buf;
static uint32_t lent_cap;
static int lent_given;

void wr__lend(void *buf, uint32_t cap) {
  lent_buf = buf;
  lent_cap = cap;
  lent_given = 0;
}

void wr__unlend(void) {
  lent_buf = NULL;
  lent_cap = 0;
  lent_given = 0;
}

static void *allocate(size_t align, size_t size) {
  /* malloc aligns to at least 8, the largest alignment the Canonical ABI uses. */
  void *ptr = align <= 8 ? malloc(size) : aligned_alloc(align, (size + align - 1) & ~(align - 1));
  if (ptr == NULL) {
    /* The host has no way to receive an allocation failure: trap rather than corrupt memory. */
    __builtin_trap();
  }
  return ptr;
}

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old_ptr, size_t old_size,
                                                                 size_t align, size_t new_size) {
  if (lent_buf != NULL && align <= 1 && new_size <= lent_cap &&
      ((old_ptr == NULL && !lent_given) || (old_ptr == lent_buf && lent_given))) {
    /* A read's list<u8> result lands directly in the reader's buffer. */
    lent_given = 1;
    return lent_buf;
  }
  if (old_ptr != NULL && old_ptr == lent_buf && lent_given) {
    /* The host grows the lent buffer beyond its capacity: move to the heap. */
    void *ptr = allocate(align, new_size);
    memcpy(ptr, old_ptr, old_size < new_size ? old_size : new_size);
    wr__unlend();
    return ptr;
  }
  if (new_size == 0) {
    /* A non-null, suitably aligned pointer that is never dereferenced (an empty list). */
    return (void *)align;
  }
  if (old_ptr == NULL) {
    return allocate(align, new_size);
  }
  void *ptr = realloc(old_ptr, new_size);
  if (ptr == NULL) {
    __builtin_trap();
  }
  return ptr;
}
