/*
 * A wasi:http handler, written against the raw imports, that fails in the way its path names
 * (for the engine's end-to-end error tests):
 *   /trap          traps (unreachable) before responding
 *   /bad-pointer   passes [method]fields.append a name pointer past the end of its memory
 *   /spin          loops forever
 *   /sleep         blocks on a 2 s monotonic-clock pollable, then answers 200 "slept"
 *   /none          returns without setting a response
 *   /alloc/N       allocates and touches N MiB, then answers 200 "allocated N MiB"; when the
 *                  allocation fails (memory could not grow) it aborts, as a C program does
 * Any other path answers 200 "ok <path>".
 */
#define WASI_HTTP_VERSION "0.2.0"
#include "wasi_http_raw.h"

#define MIB (1024 * 1024)
#define PAGE (64 * 1024)

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(int32_t request, int32_t outparam) {
  ret_area r;
  char path[256];
  request_path(request, path, sizeof path);
  char text[300];
  if (strcmp(path, "/trap") == 0) {
    __builtin_trap();
  } else if (strcmp(path, "/bad-pointer") == 0) {
    const char *past_the_end = (const char *)(__builtin_wasm_memory_size(0) * PAGE + 16);
    http_fields_append(http_fields_new(), past_the_end, 8, (const uint8_t *)"v", 1, &r);
    snprintf(text, sizeof text, "the host accepted a name outside memory\n");
  } else if (strcmp(path, "/spin") == 0) {
    volatile uint64_t spins = 0;
    for (;;) {
      spins++;
    }
  } else if (strcmp(path, "/sleep") == 0) {
    int32_t two_seconds = clocks_subscribe_duration(2000000000ULL);
    io_pollable_block(two_seconds);
    io_pollable_drop(two_seconds);
    snprintf(text, sizeof text, "slept\n");
  } else if (strcmp(path, "/none") == 0) {
    return;
  } else if (strncmp(path, "/alloc/", 7) == 0) {
    long mib = strtol(path + 7, NULL, 10);
    volatile uint8_t *block = malloc((size_t)mib * MIB);
    if (block == NULL) {
      fprintf(stderr, "cannot allocate %ld MiB\n", mib);
      abort();
    }
    for (long at = 0; at < mib * MIB; at += PAGE) {
      block[at] = 1;
    }
    snprintf(text, sizeof text, "allocated %ld MiB\n", mib);
  } else {
    snprintf(text, sizeof text, "ok %s\n", path);
  }
  respond_text(outparam, text);
}
