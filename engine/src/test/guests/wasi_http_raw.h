/*
 * The raw wasi:http/types imports of the C handler guests (http_hello.c, init_state.c,
 * misbehaving.c), declared by hand like wasi_raw.h, plus what each of them needs around them: the
 * exported cabi_realloc, reading the request's path and answering a short text. A guest defines
 * WASI_HTTP_VERSION (the 0.2 patch its imports name) before including this; only the functions it
 * calls become imports of its module. One guest per translation unit (cabi_realloc.h defines the
 * exported allocator).
 */
#ifndef WASI_HTTP_RAW_H
#define WASI_HTTP_RAW_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cabi_realloc.h"
#include "wasi_raw.h"

#ifndef WASI_HTTP_VERSION
#error "define WASI_HTTP_VERSION (\"0.2.x\") before including wasi_http_raw.h"
#endif

#define HTTP(name) IMPORT("wasi:http/types@" WASI_HTTP_VERSION, name)

HTTP("[method]incoming-request.path-with-query")
void http_request_path(int32_t self, ret_area *ret); /* option<string>: [0] tag [4] ptr [8] len */
HTTP("[method]incoming-request.consume")
void http_request_consume(int32_t self, ret_area *ret); /* result<own<incoming-body>>: [4] */
HTTP("[resource-drop]incoming-request")
void http_request_drop(int32_t self);
HTTP("[method]incoming-body.stream")
void http_incoming_body_stream(int32_t self, ret_area *ret); /* result<own<input-stream>> */
HTTP("[resource-drop]incoming-body")
void http_incoming_body_drop(int32_t self);
HTTP("[constructor]fields")
int32_t http_fields_new(void);
HTTP("[method]fields.append")
void http_fields_append(int32_t self, const char *name, size_t name_len, const uint8_t *value,
                        size_t value_len, ret_area *ret); /* result<_, header-error> */
HTTP("[constructor]outgoing-response")
int32_t http_response_new(int32_t headers);
HTTP("[method]outgoing-response.body")
void http_response_body(int32_t self, ret_area *ret); /* result<own<outgoing-body>> */
/* result<own<outgoing-response>, error-code> flattens to 8 values after the outparam. */
HTTP("[static]response-outparam.set")
void http_outparam_set(int32_t outparam, int32_t is_err, int32_t response, int32_t p1, int64_t p2,
                       int32_t p3, int32_t p4, int32_t p5, int32_t p6);
HTTP("[method]outgoing-body.write")
void http_outgoing_body_write(int32_t self, ret_area *ret); /* result<own<output-stream>> */
HTTP("[static]outgoing-body.finish")
void http_outgoing_body_finish(int32_t self, int32_t has_trailers, int32_t trailers,
                               void *ret /* result<_, error-code>: 40 bytes, align 8 */);

/* The request's path and query into path (of size cap); "/" when it has none. */
static inline void request_path(int32_t request, char *path, size_t cap) {
  ret_area r;
  http_request_path(request, &r);
  snprintf(path, cap, "/");
  if (ret_u8(&r, 0) == 1) {
    snprintf(path, cap, "%.*s", (int)ret_i32(&r, 8), (const char *)(uintptr_t)ret_i32(&r, 4));
  }
}

/* Finishes an outgoing body without trailers; aborts when the host refuses. */
static inline void finish_body(int32_t body) {
  _Alignas(8) uint8_t finished[40];
  http_outgoing_body_finish(body, 0, 0, finished);
  if (finished[0] != 0) {
    abort();
  }
}

/* Answers 200 with `text` as the whole body (short enough for one blocking write). */
static inline void respond_text(int32_t outparam, const char *text) {
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
  finish_body(body);
}

#endif
