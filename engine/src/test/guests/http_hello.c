/*
 * A wasi:http handler written against the raw imports (wasi_raw.h and wasi_http_raw.h, no SDK):
 * answers 200 with "hello <path>" and then the request body upper-cased, streamed as it arrives. Paths with a special meaning:
 *   /none   returns without setting a response
 *   /trap   sets the response, then traps
 *   /exit   answers, finishes the body, then calls wasi:cli/exit(ok)
 */
#include <ctype.h>

#define WASI_HTTP_VERSION "0.2.4"
#include "wasi_http_raw.h"

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
  char path[256];
  request_path(request, path, sizeof path);
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
  finish_body(body);
  if (strcmp(path, "/exit") == 0) {
    cli_exit(0);
  }
}
