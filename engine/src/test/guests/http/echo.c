/*
 * An incoming handler that shows the request back: method, path, authority and a header as
 * response headers, and the request body streamed back chunk by chunk ("echo:<chunk>"), written
 * as each chunk arrives. Paths with a special meaning:
 *   /early          writes and finishes the whole body before response-outparam.set
 *   /fail           answers with error-code HTTP-request-denied
 *   /fail-internal  answers with error-code internal-error("custom failure")
 *   /oob            passes fields.append a name pointer outside memory
 */
#include "wasi_http.h"

static int eq(const opt_string_t *s, const char *lit) {
  return s->tag == 1 && s->len == strlen(lit) && memcmp(s->ptr, lit, s->len) == 0;
}

static char *cstr(const char *p, size_t len) {
  char *s = malloc(len + 1);
  memcpy(s, p, len);
  s[len] = 0;
  return s;
}

static const char *METHODS[] = {"GET", "HEAD", "POST", "PUT", "DELETE",
                                "CONNECT", "OPTIONS", "TRACE", "PATCH"};

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(int32_t request, int32_t outparam) {
  opt_string_t path, authority, method;
  incoming_request_path(request, &path);
  incoming_request_authority(request, &authority);
  incoming_request_method(request, &method);

  if (eq(&path, "/fail")) {
    response_outparam_set(outparam, 1, 15 /* HTTP-request-denied */, 0, 0, 0, 0, 0, 0);
    return;
  }
  if (eq(&path, "/fail-internal")) {
    static const char msg[] = "custom failure";
    response_outparam_set(outparam, 1, 38 /* internal-error */, 1,
                          (int64_t)(uint32_t)(uintptr_t)msg, sizeof msg - 1, 0, 0, 0);
    return;
  }
  if (eq(&path, "/oob")) {
    int32_t f = fields_new();
    uint8_t ret[2];
    fields_append(f, (const char *)(uintptr_t)0xFFFFFF00u, 16, "v", 1, ret);
    return;
  }
  if (eq(&path, "/early")) {
    int32_t headers = fields_new();
    int32_t response = outgoing_response_new(headers);
    result_handle_t body, stream;
    outgoing_response_body(response, &body);
    outgoing_body_write(body.handle, &stream);
    write_all(stream.handle, "written before set", 18);
    output_stream_drop(stream.handle);
    _Alignas(8) uint8_t fin[40];
    outgoing_body_finish(body.handle, 0, 0, fin);
    response_outparam_set(outparam, 0, response, 0, 0, 0, 0, 0, 0);
    return;
  }

  /* The request's headers are immutable, and fields reject bad and forbidden names. */
  int32_t request_headers = incoming_request_headers(request);
  bytes_t values;
  fields_get(request_headers, "X-Test", 6, &values);
  const char *x_test = "(none)";
  if (values.len > 0) {
    bytes_t *first = (bytes_t *)values.ptr;
    x_test = cstr((const char *)first->ptr, first->len);
  }
  uint8_t immutable = append_str(request_headers, "x-more", "1");
  fields_drop(request_headers);

  int32_t headers = fields_new();
  uint8_t invalid = append_str(headers, "bad name", "v");
  uint8_t forbidden = append_str(headers, "Connection", "close");
  uint8_t bad_value = append_str(headers, "x-ok", "line\nbreak");
  buf_t errors = {0};
  buf_num(&errors, invalid);
  buf_str(&errors, ",");
  buf_num(&errors, forbidden);
  buf_str(&errors, ",");
  buf_num(&errors, immutable);
  buf_str(&errors, ",");
  buf_num(&errors, bad_value);
  append_str(headers, "x-header-errors", errors.data);

  append_str(headers, "content-type", "text/plain");
  append_str(headers, "x-method",
             method.tag < 9 ? METHODS[method.tag] : cstr(method.ptr, method.len));
  append_str(headers, "x-path", path.tag ? cstr(path.ptr, path.len) : "(none)");
  append_str(headers, "x-authority", authority.tag ? cstr(authority.ptr, authority.len) : "(none)");
  append_str(headers, "x-test", x_test);

  int32_t response = outgoing_response_new(headers);
  outgoing_response_set_status(response, 201);
  result_handle_t body, out;
  outgoing_response_body(response, &body);
  response_outparam_set(outparam, 0, response, 0, 0, 0, 0, 0, 0);
  outgoing_body_write(body.handle, &out);

  result_handle_t in_body, in;
  incoming_request_consume(request, &in_body);
  incoming_body_stream(in_body.handle, &in);
  for (;;) {
    result_bytes_t r;
    input_stream_blocking_read(in.handle, 4096, &r);
    if (r.tag != 0) break;
    buf_t chunk = {0};
    buf_str(&chunk, "echo:");
    buf_add(&chunk, r.val.ok.ptr, r.val.ok.len);
    free(r.val.ok.ptr);
    if (write_all(out.handle, chunk.data, chunk.len) != 0) abort();
    free(chunk.data);
  }
  input_stream_drop(in.handle);
  incoming_body_drop(in_body.handle);
  output_stream_drop(out.handle);
  _Alignas(8) uint8_t fin[40];
  outgoing_body_finish(body.handle, 0, 0, fin);
  if (fin[0] != 0) abort();
  incoming_request_drop(request);
}
