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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi_raw.h"

#define HTTP(name) IMPORT("wasi:http/types@0.2.0", name)

HTTP("[method]incoming-request.path-with-query")
void http_request_path(int32_t self, ret_area *ret); /* option<string>: [0] tag [4] ptr [8] len */
HTTP("[constructor]fields")
int32_t http_fields_new(void);
HTTP("[method]fields.append")
void http_fields_append(int32_t self, const char *name, size_t name_len, const uint8_t *value,
                        size_t value_len, ret_area *ret); /* result<_, header-error> */
HTTP("[constructor]outgoing-response")
int32_t http_response_new(int32_t headers);
HTTP("[method]outgoing-response.body")
void http_response_body(int32_t self, ret_area *ret); /* result<own<outgoing-body>> */
HTTP("[static]response-outparam.set")
void http_outparam_set(int32_t outparam, int32_t is_err, int32_t response, int32_t p1, int64_t p2,
                       int32_t p3, int32_t p4, int32_t p5, int32_t p6);
HTTP("[method]outgoing-body.write")
void http_outgoing_body_write(int32_t self, ret_area *ret); /* result<own<output-stream>> */
HTTP("[static]outgoing-body.finish")
void http_outgoing_body_finish(int32_t self, int32_t has_trailers, int32_t trailers,
                               void *ret /* result<_, error-code>: 40 bytes, align 8 */);

#define MIB (1024 * 1024)
#define PAGE (64 * 1024)

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

/* Answers 200 with `text` as the whole body (short enough for one blocking write). */
static void respond(int32_t outparam, const char *text) {
  ret_area r;
  int32_t response = http_response_new(http_fields_new());
  http_response_body(response, &r);
  int32_t body = ret_i32(&r, 4);
  http_outparam_set(outparam, 0, response, 0, 0, 0, 0, 0, 0);
  http_outgoing_body_write(body, &r);
  int32_t out = ret_i32(&r, 4);
  io_output_blocking_write_and_flush(out, (const uint8_t *)text, strlen(text), &r);
  if (ret_u8(&r, 0) != 0) {
    abort();
  }
  io_output_drop(out);
  _Alignas(8) uint8_t finished[40];
  http_outgoing_body_finish(body, 0, 0, finished);
  if (finished[0] != 0) {
    abort();
  }
}

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(int32_t request, int32_t outparam) {
  ret_area r;
  http_request_path(request, &r);
  char path[256] = "/";
  if (ret_u8(&r, 0) == 1) {
    snprintf(path, sizeof path, "%.*s", (int)ret_i32(&r, 8),
             (const char *)(uintptr_t)ret_i32(&r, 4));
  }
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
  respond(outparam, text);
}
