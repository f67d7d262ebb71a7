/*
 * A wasi:http handler written against the raw imports (wasi_raw.h and the wasi:http/types
 * declarations below, no SDK): answers 200 with "hello <path>" and then the request body upper-
 * cased, streamed as it arrives. Paths with a special meaning:
 *   /none   returns without setting a response
 *   /trap   sets the response, then traps
 *   /exit   answers, finishes the body, then calls wasi:cli/exit(ok)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi_raw.h"

#define HTTP(name) IMPORT("wasi:http/types@0.2.4", name)

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

/* Writes all of data with check-write and write, waiting on the stream's pollable. */
static void write_all(int32_t out, const uint8_t *data, size_t len) {
  int32_t writable = io_output_subscribe(out);
  while (len > 0) {
    ret_area c;
    io_output_check_write(out, &c);
    if (ret_u8(&c, 0) != 0) {
      abort();
    }
    uint64_t permit = ret_u64(&c, 8);
    if (permit == 0) {
      io_pollable_block(writable);
      continue;
    }
    size_t n = len < permit ? len : (size_t)permit;
    ret_area w;
    io_output_write(out, data, n, &w);
    if (ret_u8(&w, 0) != 0) {
      abort();
    }
    data += n;
    len -= n;
  }
  io_pollable_drop(writable);
}

EXPORT("wasi:http/incoming-handler@0.2.4#handle")
void handle(int32_t request, int32_t outparam) {
  ret_area r;
  http_request_path(request, &r);
  char path[256] = "/";
  if (ret_u8(&r, 0) == 1) {
    snprintf(path, sizeof path, "%.*s", (int)ret_i32(&r, 8),
             (const char *)(uintptr_t)ret_i32(&r, 4));
  }
  printf("handling %s\n", path);
  fflush(stdout);
  if (strcmp(path, "/none") == 0) {
    return;
  }

  int32_t headers = http_fields_new();
  http_fields_append(headers, "x-guest", 7, (const uint8_t *)"raw-c", 5, &r);
  int32_t response = http_response_new(headers);
  http_response_body(response, &r);
  int32_t body = ret_i32(&r, 4);
  http_outparam_set(outparam, 0, response, 0, 0, 0, 0, 0, 0);
  if (strcmp(path, "/trap") == 0) {
    __builtin_trap();
  }
  http_outgoing_body_write(body, &r);
  int32_t out = ret_i32(&r, 4);

  char greeting[300];
  int n = snprintf(greeting, sizeof greeting, "hello %s\n", path);
  write_all(out, (const uint8_t *)greeting, (size_t)n);

  http_request_consume(request, &r);
  int32_t in_body = ret_i32(&r, 4);
  http_incoming_body_stream(in_body, &r);
  int32_t in = ret_i32(&r, 4);
  for (;;) {
    io_input_blocking_read(in, 8192, &r);
    if (ret_u8(&r, 0) != 0) {
      break;
    }
    uint8_t *data = (uint8_t *)(uintptr_t)ret_i32(&r, 4);
    size_t len = (size_t)ret_i32(&r, 8);
    for (size_t i = 0; i < len; i++) {
      data[i] = (uint8_t)toupper(data[i]);
    }
    write_all(out, data, len);
    if (len > 0) {
      free(data);
    }
  }
  io_input_drop(in);
  http_incoming_body_drop(in_body);
  http_request_drop(request);
  io_output_drop(out);
  _Alignas(8) uint8_t finished[40];
  http_outgoing_body_finish(body, 0, 0, finished);
  if (finished[0] != 0) {
    abort();
  }
  if (strcmp(path, "/exit") == 0) {
    cli_exit(0);
  }
}
