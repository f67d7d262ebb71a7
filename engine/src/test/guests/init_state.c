/*
 * A wasi:http handler whose state is set up by its initialization (constructors, run by
 * _initialize; in a component by the start function wit-component adds) and changed by every
 * request, for the component snapshot tests. Each request answers 200 with
 *   "init_runs=<how often the constructor ran> counter=<counter> heap=<string on the heap>\n"
 * and then changes all three. An instance started from the state after initialization answers
 * "init_runs=1 counter=41 heap=set by init" every time, whatever earlier requests did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi_raw.h"

#define HTTP(name) IMPORT("wasi:http/types@0.2.0", name)

HTTP("[constructor]fields")
int32_t http_fields_new(void);
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

static volatile int init_runs;
static volatile int counter;
static char *heap;

__attribute__((constructor)) static void init(void) {
  init_runs++;
  counter = 41;
  heap = malloc(64);
  strcpy(heap, "set by init");
}

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(int32_t request, int32_t outparam) {
  (void)request;
  char text[160];
  snprintf(text, sizeof text, "init_runs=%d counter=%d heap=%s\n", init_runs, counter,
           heap == NULL ? "(none)" : heap);
  init_runs += 100;
  counter++;
  if (heap != NULL) {
    strcpy(heap, "changed by a request");
  }

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
