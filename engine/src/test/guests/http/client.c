/*
 * An incoming handler that calls billing.api through wasi:http/outgoing-handler: POST
 * http://billing.api/charge?x=1 with header x-req and body "hello upstream" (written after
 * handle), then answers 200 with "status=<upstream status> body=<upstream body>", or 502 with
 * "error-code=<discriminant>[ <internal-error message>]" when the request failed.
 */
#include "wasi_http.h"

static void respond_error(int32_t outparam, const uint8_t *code /* error-code, 32 bytes */) {
  buf_t text = {0};
  buf_str(&text, "error-code=");
  buf_num(&text, code[0]);
  if (code[0] == 38 && code[8] == 1) {
    const char *msg = *(const char *const *)(code + 12);
    size_t len = *(const size_t *)(code + 16);
    buf_str(&text, " ");
    buf_add(&text, msg, len);
  }
  respond_text(outparam, 502, text.data);
}

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(int32_t request, int32_t outparam) {
  incoming_request_drop(request);

  int32_t headers = fields_new();
  append_str(headers, "x-req", "1");
  append_str(headers, "content-type", "text/plain");
  int32_t req = outgoing_request_new(headers);
  outgoing_request_set_method(req, 2 /* POST */, 0, 0);
  outgoing_request_set_scheme(req, 1, 0 /* HTTP */, 0, 0);
  outgoing_request_set_authority(req, 1, "billing.api", 11);
  outgoing_request_set_path(req, 1, "/charge?x=1", 11);
  result_handle_t body;
  outgoing_request_body(req, &body);
  int32_t options = request_options_new();
  request_options_set_connect_timeout(options, 1, 2000000000LL);

  _Alignas(8) uint8_t sent[40];
  outgoing_handler_handle(req, 1, options, sent);
  if (sent[0] != 0) {
    respond_error(outparam, sent + 8);
    return;
  }
  int32_t future = *(int32_t *)(sent + 8);

  result_handle_t stream;
  outgoing_body_write(body.handle, &stream);
  write_all(stream.handle, "hello upstream", 14);
  output_stream_drop(stream.handle);
  _Alignas(8) uint8_t fin[40];
  outgoing_body_finish(body.handle, 0, 0, fin);

  int32_t ready = future_response_subscribe(future);
  pollable_block(ready);
  pollable_drop(ready);
  _Alignas(8) uint8_t got[56];
  future_response_get(future, got);
  future_response_drop(future);
  if (got[0] != 1 || got[8] != 0) abort();
  if (got[16] != 0) {
    respond_error(outparam, got + 24);
    return;
  }
  int32_t response = *(int32_t *)(got + 24);
  int32_t status = incoming_response_status(response);
  result_handle_t in_body, in;
  incoming_response_consume(response, &in_body);
  incoming_body_stream(in_body.handle, &in);
  buf_t upstream = {0};
  buf_str(&upstream, "");
  read_all(in.handle, &upstream);
  input_stream_drop(in.handle);
  incoming_body_drop(in_body.handle);
  incoming_response_drop(response);

  buf_t text = {0};
  buf_str(&text, "status=");
  buf_num(&text, status);
  buf_str(&text, " body=");
  buf_str(&text, upstream.data);
  respond_text(outparam, 200, text.data);
}
