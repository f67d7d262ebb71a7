/*
 * The C component test guest: written against the bindings `wit-bindgen c` generates for the
 * world wasi:http/proxy (proxy.h, proxy.c, proxy_component_type.o), linked as a WASI preview-1
 * reactor and made a component by `wasm-tools component new --adapt` with the preview-1 adapter.
 *
 *   GET /call?to=http://ns.module/path   POSTs "hello from c" to `to` and answers with the
 *                                        response's status and body
 *   any method /throw                    writes "boom from c" to stderr and aborts (a trap)
 *   anything else                        answers 200 with the request body streamed back chunk
 *                                        by chunk, x-echo-method and x-echo-path (path and query)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

#define CHUNK_SIZE (64 * 1024)
#define WRITE_SIZE 4096
#define CALL_BODY "hello from c"

static const char *const METHOD_NAMES[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                           "CONNECT", "OPTIONS", "TRACE", "PATCH"};

static void append_header(wasi_http_types_own_fields_t fields, const char *name, const uint8_t *value,
                          size_t value_len) {
  wasi_http_types_field_name_t key;
  proxy_string_set(&key, name);
  wasi_http_types_field_value_t val = {(uint8_t *)value, value_len};
  wasi_http_types_header_error_t err;
  if (!wasi_http_types_method_fields_append(wasi_http_types_borrow_fields(fields), &key, &val, &err)) {
    fprintf(stderr, "header %s refused (header-error %d)\n", name, err.tag);
  }
}

/* Copies `source` into `sink` until the source ends; one chunk in memory at a time. */
static void copy_stream(wasi_io_streams_own_input_stream_t source, wasi_io_streams_own_output_stream_t sink) {
  for (;;) {
    proxy_list_u8_t chunk;
    wasi_io_streams_stream_error_t err;
    if (!wasi_io_streams_method_input_stream_blocking_read(wasi_io_streams_borrow_input_stream(source),
                                                           CHUNK_SIZE, &chunk, &err)) {
      if (err.tag == WASI_IO_STREAMS_STREAM_ERROR_LAST_OPERATION_FAILED) {
        fprintf(stderr, "reading the body failed\n");
        wasi_io_error_error_drop_own(err.val.last_operation_failed);
      }
      return;
    }
    /* blocking-write-and-flush takes at most 4096 bytes a call (wasi:io/streams). */
    for (size_t off = 0; off < chunk.len; off += WRITE_SIZE) {
      proxy_list_u8_t piece = {chunk.ptr + off, chunk.len - off < WRITE_SIZE ? chunk.len - off : WRITE_SIZE};
      if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(
              wasi_io_streams_borrow_output_stream(sink), &piece, &err)) {
        fprintf(stderr, "writing the body failed\n");
        if (err.tag == WASI_IO_STREAMS_STREAM_ERROR_LAST_OPERATION_FAILED) {
          wasi_io_error_error_drop_own(err.val.last_operation_failed);
        }
        proxy_list_u8_free(&chunk);
        return;
      }
    }
    proxy_list_u8_free(&chunk);
  }
}

/* Sends status and headers, then streams `body` (may be 0: no body) into the response. */
static void respond(exports_wasi_http_incoming_handler_own_response_outparam_t response_out,
                    uint16_t status, wasi_http_types_own_fields_t headers,
                    wasi_http_types_own_incoming_body_t body, bool has_body) {
  wasi_http_types_own_outgoing_response_t response = wasi_http_types_constructor_outgoing_response(headers);
  wasi_http_types_method_outgoing_response_set_status_code(wasi_http_types_borrow_outgoing_response(response),
                                                           status);
  wasi_http_types_own_outgoing_body_t out_body;
  if (!wasi_http_types_method_outgoing_response_body(wasi_http_types_borrow_outgoing_response(response),
                                                     &out_body)) {
    fprintf(stderr, "outgoing-response.body refused\n");
    abort();
  }
  wasi_http_types_result_own_outgoing_response_error_code_t result = {.is_err = false, .val.ok = response};
  wasi_http_types_static_response_outparam_set(response_out, &result);

  wasi_http_types_own_output_stream_t sink;
  if (!wasi_http_types_method_outgoing_body_write(wasi_http_types_borrow_outgoing_body(out_body), &sink)) {
    fprintf(stderr, "outgoing-body.write refused\n");
    abort();
  }
  if (has_body) {
    wasi_http_types_own_input_stream_t source;
    if (wasi_http_types_method_incoming_body_stream(wasi_http_types_borrow_incoming_body(body), &source)) {
      copy_stream(source, sink);
      wasi_io_streams_input_stream_drop_own(source);
    }
    wasi_http_types_incoming_body_drop_own(body);
  }
  wasi_io_streams_output_stream_drop_own(sink);
  wasi_http_types_error_code_t err;
  if (!wasi_http_types_static_outgoing_body_finish(out_body, NULL, &err)) {
    fprintf(stderr, "outgoing-body.finish failed (error-code %d)\n", err.tag);
  }
}

static bool starts_with(const proxy_string_t *s, const char *prefix) {
  size_t n = strlen(prefix);
  return s->len >= n && memcmp(s->ptr, prefix, n) == 0;
}

/* The path (before '?') of path-with-query equals `path`. */
static bool path_is(const proxy_string_t *pq, const char *path) {
  size_t n = strlen(path);
  return starts_with(pq, path) && (pq->len == n || pq->ptr[n] == '?');
}

static int hex(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The percent-decoded value of query parameter `to`, NUL-terminated in `out`; false when absent. */
static bool query_to(const proxy_string_t *pq, char *out, size_t out_size) {
  const uint8_t *q = memchr(pq->ptr, '?', pq->len);
  const uint8_t *end = pq->ptr + pq->len;
  while (q != NULL && q < end) {
    q++;
    if (end - q > 3 && memcmp(q, "to=", 3) == 0) {
      size_t n = 0;
      for (q += 3; q < end && *q != '&' && n + 1 < out_size; q++) {
        if (*q == '%' && end - q > 2 && hex(q[1]) >= 0 && hex(q[2]) >= 0) {
          out[n++] = (char)(hex(q[1]) * 16 + hex(q[2]));
          q += 2;
        } else {
          out[n++] = (char)*q;
        }
      }
      out[n] = '\0';
      return n > 0;
    }
    q = memchr(q, '&', (size_t)(end - q));
  }
  return false;
}

static void call(const char *to, exports_wasi_http_incoming_handler_own_response_outparam_t response_out) {
  const char *rest = to;
  wasi_http_types_scheme_t scheme = {.tag = WASI_HTTP_TYPES_SCHEME_HTTP};
  if (strncmp(rest, "http://", 7) == 0) {
    rest += 7;
  } else if (strncmp(rest, "https://", 8) == 0) {
    scheme.tag = WASI_HTTP_TYPES_SCHEME_HTTPS;
    rest += 8;
  }
  const char *slash = strchr(rest, '/');
  proxy_string_t authority, path;
  proxy_string_dup_n(&authority, rest, slash ? (size_t)(slash - rest) : strlen(rest));
  proxy_string_set(&path, slash ? slash : "/");

  wasi_http_types_own_outgoing_request_t request =
      wasi_http_types_constructor_outgoing_request(wasi_http_types_constructor_fields());
  wasi_http_types_borrow_outgoing_request_t borrowed = wasi_http_types_borrow_outgoing_request(request);
  wasi_http_types_method_outgoing_request_set_scheme(borrowed, &scheme);
  wasi_http_types_method_outgoing_request_set_authority(borrowed, &authority);
  wasi_http_types_method_outgoing_request_set_path_with_query(borrowed, &path);
  wasi_http_types_method_t post = {.tag = WASI_HTTP_TYPES_METHOD_POST};
  wasi_http_types_method_outgoing_request_set_method(borrowed, &post);
  proxy_string_free(&authority);
  wasi_http_types_own_outgoing_body_t out_body;
  if (!wasi_http_types_method_outgoing_request_body(borrowed, &out_body)) {
    fprintf(stderr, "outgoing-request.body refused\n");
    abort();
  }

  wasi_http_outgoing_handler_own_future_incoming_response_t future;
  wasi_http_outgoing_handler_error_code_t err;
  if (!wasi_http_outgoing_handler_handle(request, NULL, &future, &err)) {
    fprintf(stderr, "outgoing request to %s refused (error-code %d)\n", to, err.tag);
    abort();
  }
  wasi_http_types_own_output_stream_t sink;
  if (!wasi_http_types_method_outgoing_body_write(wasi_http_types_borrow_outgoing_body(out_body), &sink)) {
    fprintf(stderr, "outgoing-body.write refused\n");
    abort();
  }
  proxy_list_u8_t greeting = {(uint8_t *)CALL_BODY, sizeof CALL_BODY - 1};
  wasi_io_streams_stream_error_t write_err;
  if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(wasi_io_streams_borrow_output_stream(sink),
                                                                     &greeting, &write_err)) {
    fprintf(stderr, "writing the outgoing request body failed\n");
  }
  wasi_io_streams_output_stream_drop_own(sink);
  if (!wasi_http_types_static_outgoing_body_finish(out_body, NULL, &err)) {
    fprintf(stderr, "finishing the outgoing request body failed (error-code %d)\n", err.tag);
  }
  wasi_http_types_result_result_own_incoming_response_error_code_void_t got;
  while (!wasi_http_types_method_future_incoming_response_get(
      wasi_http_types_borrow_future_incoming_response(future), &got)) {
    wasi_http_types_own_pollable_t ready = wasi_http_types_method_future_incoming_response_subscribe(
        wasi_http_types_borrow_future_incoming_response(future));
    wasi_io_poll_method_pollable_block(wasi_io_poll_borrow_pollable(ready));
    wasi_io_poll_pollable_drop_own(ready);
  }
  wasi_http_types_future_incoming_response_drop_own(future);
  if (got.is_err || got.val.ok.is_err) {
    fprintf(stderr, "outgoing request to %s failed (error-code %d)\n", to,
            got.is_err ? -1 : got.val.ok.val.err.tag);
    abort();
  }
  wasi_http_types_own_incoming_response_t upstream = got.val.ok.val.ok;
  wasi_http_types_borrow_incoming_response_t up = wasi_http_types_borrow_incoming_response(upstream);
  uint16_t status = wasi_http_types_method_incoming_response_status(up);
  wasi_http_types_own_incoming_body_t body;
  bool has_body = wasi_http_types_method_incoming_response_consume(up, &body);

  wasi_http_types_own_fields_t headers = wasi_http_types_constructor_fields();
  append_header(headers, "x-guest", (const uint8_t *)"c", 1);
  append_header(headers, "x-called", (const uint8_t *)to, strlen(to));
  respond(response_out, status, headers, body, has_body);
  wasi_http_types_incoming_response_drop_own(upstream);
}

void exports_wasi_http_incoming_handler_handle(exports_wasi_http_incoming_handler_own_incoming_request_t request,
                                               exports_wasi_http_incoming_handler_own_response_outparam_t response_out) {
  wasi_http_types_borrow_incoming_request_t req = wasi_http_types_borrow_incoming_request(request);
  proxy_string_t path_with_query;
  if (!wasi_http_types_method_incoming_request_path_with_query(req, &path_with_query)) {
    proxy_string_set(&path_with_query, "/");
  }
  if (path_is(&path_with_query, "/throw")) {
    fprintf(stderr, "boom from c\n");
    fflush(stderr);
    abort();
  }
  if (path_is(&path_with_query, "/call")) {
    static char to[2048];
    if (!query_to(&path_with_query, to, sizeof to)) {
      wasi_http_types_own_fields_t headers = wasi_http_types_constructor_fields();
      append_header(headers, "x-guest", (const uint8_t *)"c", 1);
      wasi_http_types_own_incoming_body_t none = {0};
      respond(response_out, 400, headers, none, false);
    } else {
      call(to, response_out);
    }
    wasi_http_types_incoming_request_drop_own(request);
    return;
  }

  wasi_http_types_method_t method;
  wasi_http_types_method_incoming_request_method(req, &method);
  const uint8_t *method_name;
  size_t method_len;
  if (method.tag == WASI_HTTP_TYPES_METHOD_OTHER) {
    method_name = method.val.other.ptr;
    method_len = method.val.other.len;
  } else {
    method_name = (const uint8_t *)METHOD_NAMES[method.tag];
    method_len = strlen(METHOD_NAMES[method.tag]);
  }
  wasi_http_types_own_fields_t headers = wasi_http_types_constructor_fields();
  append_header(headers, "x-guest", (const uint8_t *)"c", 1);
  append_header(headers, "x-echo-method", method_name, method_len);
  append_header(headers, "x-echo-path", path_with_query.ptr, path_with_query.len);
  wasi_http_types_method_free(&method);

  wasi_http_types_own_incoming_body_t body;
  bool has_body = wasi_http_types_method_incoming_request_consume(req, &body);
  respond(response_out, 200, headers, body, has_body);
  wasi_http_types_incoming_request_drop_own(request);
}
