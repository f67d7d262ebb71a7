/*
 * heavy: an echo handler with the memory profile of a large language runtime (the componentize-js
 * guest: ~160 pages, ~5 MB of them written before the first request): a 10 MiB initial memory, and
 * a constructor, run by _initialize, that fills 5 MiB of heap with a pattern. Each request echoes
 * its body and reads and writes a few scattered words of that heap, as an interpreter's request
 * touches part of its heap.
 */
#include <stdint.h>
#include <stdlib.h>
#include <wruntime.h>

#define HEAP_BYTES (5u * 1024 * 1024)
#define CHUNK_SIZE (16 * 1024)

static uint32_t *heap;
static unsigned char chunk[CHUNK_SIZE];

__attribute__((constructor)) static void build_heap(void) {
  heap = malloc(HEAP_BYTES);
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < HEAP_BYTES / 4; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    heap[i] = x | 1u;
  }
}

void wr_handle(wr_request_t *request, wr_response_t *response) {
  wr_error_t err;
  uint32_t sum = 0;
  /* 16 words 320 KiB apart: 16 pages read, 16 pages written. */
  for (size_t i = 0; i < 16; i++) {
    size_t at = i * (HEAP_BYTES / 4 / 16);
    sum += heap[at];
    heap[at] = sum;
  }
  if (sum == 0) {
    wr_log(WR_WARN, "heap not initialized");
  }
  if (wr_response_start(response, 200, &err) != 0) {
    return;
  }
  for (;;) {
    ssize_t n = wr_request_read(request, chunk, sizeof chunk, &err);
    if (n <= 0) {
      break;
    }
    if (wr_response_write(response, chunk, (size_t)n, &err) != 0) {
      return;
    }
  }
  wr_response_finish(response, &err);
}
