/*
 * Hand-written Canonical ABI declarations of the wasi:http 0.2.0 and wasi:io 0.2.0 imports the
 * test guests use: the flat signatures and return areas wit-bindgen emits for a core module.
 * Written independently of the host, so the tests cross-check both sides.
 */
#ifndef WASI_HTTP_TEST_H
#define WASI_HTTP_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_TYPES(n) __attribute__((import_module("wasi:http/types@0.2.0"), import_name(n)))
#define HTTP_OUT(n) __attribute__((import_module("wasi:http/outgoing-handler@0.2.0"), import_name(n)))
#define IO_STREAMS(n) __attribute__((import_module("wasi:io/streams@0.2.0"), import_name(n)))
#define IO_POLL(n) __attribute__((import_module("wasi:io/poll@0.2.0"), import_name(n)))
#define EXPORT(n) __attribute__((export_name(n)))

/* option<string>, method, scheme payload: u8 tag @0, (ptr, len) @4 */
typedef struct {
  uint8_t tag;
  char *ptr;
  size_t len;
} opt_string_t;

/* result<own<T>, ()>: u8 tag @0, handle @4 */
typedef struct {
  uint8_t tag;
  int32_t handle;
} result_handle_t;

/* list<u8> / string */
typedef struct {
  uint8_t *ptr;
  size_t len;
} bytes_t;

/* result<list<u8>, stream-error>: tag @0; ok (ptr, len) @4; err: stream-error tag @4, error @8 */
typedef struct {
  uint8_t tag;
  union {
    bytes_t ok;
    struct {
      uint8_t tag;
      int32_t error;
    } err;
  } val;
} result_bytes_t;

/* result<_, stream-error>: tag @0, stream-error tag @4, error @8 */
typedef struct {
  uint8_t tag;
  struct {
    uint8_t tag;
    int32_t error;
  } err;
} result_unit_stream_t;

/* fields */
HTTP_TYPES("[constructor]fields") int32_t fields_new(void);
HTTP_TYPES("[method]fields.append")
void fields_append(int32_t self, const char *name, size_t name_len, const void *value,
                   size_t value_len, uint8_t *ret /* result<_, header-error>: 2 bytes */);
HTTP_TYPES("[method]fields.get")
void fields_get(int32_t self, const char *name, size_t name_len, bytes_t *ret /* list<list<u8>> */);
HTTP_TYPES("[resource-drop]fields") void fields_drop(int32_t self);

/* incoming-request */
HTTP_TYPES("[method]incoming-request.method") void incoming_request_method(int32_t, opt_string_t *);
HTTP_TYPES("[method]incoming-request.path-with-query")
void incoming_request_path(int32_t, opt_string_t *);
HTTP_TYPES("[method]incoming-request.authority")
void incoming_request_authority(int32_t, opt_string_t *);
HTTP_TYPES("[method]incoming-request.headers") int32_t incoming_request_headers(int32_t);
HTTP_TYPES("[method]incoming-request.consume")
void incoming_request_consume(int32_t, result_handle_t *);
HTTP_TYPES("[resource-drop]incoming-request") void incoming_request_drop(int32_t);

/* incoming-body */
HTTP_TYPES("[method]incoming-body.stream") void incoming_body_stream(int32_t, result_handle_t *);
HTTP_TYPES("[resource-drop]incoming-body") void incoming_body_drop(int32_t);

/* outgoing-response, response-outparam, outgoing-body */
HTTP_TYPES("[constructor]outgoing-response") int32_t outgoing_response_new(int32_t headers);
HTTP_TYPES("[method]outgoing-response.set-status-code")
int32_t outgoing_response_set_status(int32_t, int32_t status);
HTTP_TYPES("[method]outgoing-response.body")
void outgoing_response_body(int32_t, result_handle_t *);
HTTP_TYPES("[static]response-outparam.set")
void response_outparam_set(int32_t param, int32_t is_err, int32_t v0, int32_t v1, int64_t v2,
                           int32_t v3, int32_t v4, int32_t v5, int32_t v6);
HTTP_TYPES("[method]outgoing-body.write") void outgoing_body_write(int32_t, result_handle_t *);
HTTP_TYPES("[static]outgoing-body.finish")
void outgoing_body_finish(int32_t self, int32_t has_trailers, int32_t trailers,
                          uint8_t *ret /* result<_, error-code>: 40 bytes, align 8 */);

/* outgoing-request, request-options, outgoing-handler */
HTTP_TYPES("[constructor]outgoing-request") int32_t outgoing_request_new(int32_t headers);
HTTP_TYPES("[method]outgoing-request.set-method")
int32_t outgoing_request_set_method(int32_t, int32_t tag, const char *other, size_t len);
HTTP_TYPES("[method]outgoing-request.set-scheme")
int32_t outgoing_request_set_scheme(int32_t, int32_t is_some, int32_t tag, const char *other,
                                    size_t len);
HTTP_TYPES("[method]outgoing-request.set-authority")
int32_t outgoing_request_set_authority(int32_t, int32_t is_some, const char *, size_t);
HTTP_TYPES("[method]outgoing-request.set-path-with-query")
int32_t outgoing_request_set_path(int32_t, int32_t is_some, const char *, size_t);
HTTP_TYPES("[method]outgoing-request.body") void outgoing_request_body(int32_t, result_handle_t *);
HTTP_TYPES("[constructor]request-options") int32_t request_options_new(void);
HTTP_TYPES("[method]request-options.set-connect-timeout")
int32_t request_options_set_connect_timeout(int32_t, int32_t is_some, int64_t nanos);
HTTP_OUT("handle")
void outgoing_handler_handle(int32_t request, int32_t has_options, int32_t options,
                             uint8_t *ret /* result<own<future-incoming-response>, error-code>:
                                             40 bytes, align 8 */);

/* future-incoming-response, incoming-response */
HTTP_TYPES("[method]future-incoming-response.subscribe") int32_t future_response_subscribe(int32_t);
HTTP_TYPES("[method]future-incoming-response.get")
void future_response_get(int32_t, uint8_t *ret /* 56 bytes, align 8 */);
HTTP_TYPES("[resource-drop]future-incoming-response") void future_response_drop(int32_t);
HTTP_TYPES("[method]incoming-response.status") int32_t incoming_response_status(int32_t);
HTTP_TYPES("[method]incoming-response.consume")
void incoming_response_consume(int32_t, result_handle_t *);
HTTP_TYPES("[resource-drop]incoming-response") void incoming_response_drop(int32_t);

/* wasi:io */
IO_STREAMS("[method]input-stream.blocking-read")
void input_stream_blocking_read(int32_t, int64_t len, result_bytes_t *);
IO_STREAMS("[method]output-stream.blocking-write-and-flush")
void output_stream_blocking_write_and_flush(int32_t, const void *, size_t, result_unit_stream_t *);
IO_STREAMS("[resource-drop]input-stream") void input_stream_drop(int32_t);
IO_STREAMS("[resource-drop]output-stream") void output_stream_drop(int32_t);
IO_POLL("[method]pollable.block") void pollable_block(int32_t);
IO_POLL("[resource-drop]pollable") void pollable_drop(int32_t);

/* The Canonical ABI allocator the host calls to return lists and strings. */
EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (new_size == 0) return (void *)align;
  void *p = realloc(old, new_size);
  if (!p) abort();
  return p;
}

static uint8_t append_str(int32_t fields, const char *name, const char *value) {
  uint8_t ret[2];
  fields_append(fields, name, strlen(name), value, strlen(value), ret);
  return ret[0] == 0 ? 0xFF : ret[1];
}

/* Writes all of data to an output-stream; returns 0 on success. */
static int write_all(int32_t stream, const void *data, size_t len) {
  const uint8_t *p = data;
  while (len > 0) {
    size_t n = len > 4096 ? 4096 : len;
    result_unit_stream_t r;
    output_stream_blocking_write_and_flush(stream, p, n, &r);
    if (r.tag != 0) return -1;
    p += n;
    len -= n;
  }
  return 0;
}

/* A growable byte buffer. */
typedef struct {
  char *data;
  size_t len;
  size_t cap;
} buf_t;

static void buf_add(buf_t *b, const void *data, size_t len) {
  if (b->len + len + 1 > b->cap) {
    b->cap = (b->len + len + 1) * 2;
    b->data = realloc(b->data, b->cap);
    if (!b->data) abort();
  }
  memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = 0;
}

static void buf_str(buf_t *b, const char *s) { buf_add(b, s, strlen(s)); }

static void buf_num(buf_t *b, long long n) {
  char tmp[24];
  int i = 23;
  int neg = n < 0;
  unsigned long long u = neg ? -(unsigned long long)n : (unsigned long long)n;
  tmp[i] = 0;
  do {
    tmp[--i] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (neg) tmp[--i] = '-';
  buf_str(b, tmp + i);
}

/* Reads an input-stream to its end into b; returns 0 at a clean end, -1 on a stream error. */
__attribute__((unused)) static int read_all(int32_t stream, buf_t *b) {
  for (;;) {
    result_bytes_t r;
    input_stream_blocking_read(stream, 4096, &r);
    if (r.tag != 0) return r.val.err.tag == 1 ? 0 : -1;
    buf_add(b, r.val.ok.ptr, r.val.ok.len);
    free(r.val.ok.ptr);
  }
}

/* Responds with status and a text body in one go; returns 0 on success. */
__attribute__((unused)) static int respond_text(int32_t outparam, int32_t status, const char *text) {
  int32_t headers = fields_new();
  append_str(headers, "content-type", "text/plain");
  int32_t response = outgoing_response_new(headers);
  outgoing_response_set_status(response, status);
  result_handle_t body;
  outgoing_response_body(response, &body);
  response_outparam_set(outparam, 0, response, 0, 0, 0, 0, 0, 0);
  result_handle_t stream;
  outgoing_body_write(body.handle, &stream);
  int rc = write_all(stream.handle, text, strlen(text));
  output_stream_drop(stream.handle);
  _Alignas(8) uint8_t fin[40];
  outgoing_body_finish(body.handle, 0, 0, fin);
  return rc == 0 && fin[0] == 0 ? 0 : -1;
}

#endif
