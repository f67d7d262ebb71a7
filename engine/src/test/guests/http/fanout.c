/*
 * A module that fans out through wasi:http/outgoing-handler, for the engine's caps on outgoing
 * calls per request ([limits] outgoing_calls, outgoing_calls_total). Every call is a GET to
 * http://example.echo/call/<i>.
 *   /fanout/N      starts up to N calls without waiting for any; at the first call that handle
 *                  refuses it stops, then waits for the started ones and reads their responses.
 *                  Answers 200 "started=<k> error-code=<discriminant or none> answered=<2xx count>".
 *   /sequential/N  makes up to N calls one after the other, each read to its end before the next.
 *                  Answers 200 "completed=<k> error-code=<discriminant or none>".
 *   /forge         makes one call, GET http://<x-forge-to or example.echo>/forged, carrying routing
 *                  headers of its own (x-wr-source, x-wr-source-ns, x-wr-via-proxy,
 *                  x-wr-destination, x-wr-namespace, x-wr-module, traceparent) and x-app: kept, and
 *                  answers with the callee's status and body: "status=<s> body=<body>".
 *   /forged        answers 200 with the routing headers it was called with, one "name: value"
 *                  line each, in this order: x-wr-source, x-wr-source-ns, x-wr-via-proxy,
 *                  x-wr-destination, x-wr-namespace, x-wr-module, x-wr-version, traceparent, x-app
 *                  (those absent are left out).
 *   /__health      answers 200 "ok".
 */
#include "wasi_http.h"

#define TARGET "example.echo"

static long parse_count(const char *p, size_t len) {
  long n = 0;
  for (size_t i = 0; i < len && p[i] >= '0' && p[i] <= '9'; i++) n = n * 10 + (p[i] - '0');
  return n;
}

static const char *const REPORTED[] = {"x-wr-source",    "x-wr-source-ns", "x-wr-via-proxy",
                                       "x-wr-destination", "x-wr-namespace", "x-wr-module",
                                       "x-wr-version",   "traceparent",    "x-app"};

/* The first value of header `name` of a request, NUL-terminated, or NULL. */
static char *header(int32_t request, const char *name) {
  int32_t headers = incoming_request_headers(request);
  bytes_t values;
  fields_get(headers, name, strlen(name), &values);
  fields_drop(headers);
  if (values.len == 0) return NULL;
  bytes_t *first = (bytes_t *)values.ptr;
  char *value = malloc(first->len + 1);
  memcpy(value, first->ptr, first->len);
  value[first->len] = 0;
  return value;
}

/* Starts GET http://<authority><path>; returns -1 and the future, or the error-code's case. */
static int start_call_to(int32_t headers, const char *authority, const char *path,
                         int32_t *future) {
  int32_t req = outgoing_request_new(headers);
  outgoing_request_set_method(req, 0 /* GET */, 0, 0);
  outgoing_request_set_scheme(req, 1, 0 /* HTTP */, 0, 0);
  outgoing_request_set_authority(req, 1, authority, strlen(authority));
  outgoing_request_set_path(req, 1, path, strlen(path));
  _Alignas(8) uint8_t sent[40];
  outgoing_handler_handle(req, 0, 0, sent);
  if (sent[0] != 0) return sent[8];
  *future = *(int32_t *)(sent + 8);
  return -1;
}

static int start_call(int32_t headers, const char *path, int32_t *future) {
  return start_call_to(headers, TARGET, path, future);
}

/* Waits for a call's response and reads its body into b (when b is not NULL); returns the
 * status, or -1 - the error-code's case. */
static int finish_call(int32_t future, buf_t *b) {
  int32_t ready = future_response_subscribe(future);
  pollable_block(ready);
  pollable_drop(ready);
  _Alignas(8) uint8_t got[56];
  future_response_get(future, got);
  future_response_drop(future);
  if (got[0] != 1 || got[8] != 0) abort();
  if (got[16] != 0) return -1 - got[24];
  int32_t response = *(int32_t *)(got + 24);
  int32_t status = incoming_response_status(response);
  result_handle_t in_body, in;
  incoming_response_consume(response, &in_body);
  incoming_body_stream(in_body.handle, &in);
  buf_t ignored = {0};
  read_all(in.handle, b != NULL ? b : &ignored);
  free(ignored.data);
  input_stream_drop(in.handle);
  incoming_body_drop(in_body.handle);
  incoming_response_drop(response);
  return status;
}

static char *call_path(long i) {
  static char path[32];
  buf_t b = {0};
  buf_str(&b, "/call/");
  buf_num(&b, i);
  memcpy(path, b.data, b.len + 1);
  free(b.data);
  return path;
}

static void fanout(int32_t outparam, long n) {
  int32_t *futures = malloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
  long started = 0;
  int error = -1;
  while (started < n) {
    error = start_call(fields_new(), call_path(started), &futures[started]);
    if (error >= 0) break;
    started++;
  }
  long answered = 0;
  for (long i = 0; i < started; i++) {
    int status = finish_call(futures[i], NULL);
    if (status >= 200 && status < 300) answered++;
  }
  buf_t text = {0};
  buf_str(&text, "started=");
  buf_num(&text, started);
  buf_str(&text, " error-code=");
  if (error >= 0) buf_num(&text, error); else buf_str(&text, "none");
  buf_str(&text, " answered=");
  buf_num(&text, answered);
  respond_text(outparam, 200, text.data);
}

static void sequential(int32_t outparam, long n) {
  long completed = 0;
  int error = -1;
  while (completed < n) {
    int32_t future;
    error = start_call(fields_new(), call_path(completed), &future);
    if (error >= 0) break;
    finish_call(future, NULL);
    completed++;
  }
  buf_t text = {0};
  buf_str(&text, "completed=");
  buf_num(&text, completed);
  buf_str(&text, " error-code=");
  if (error >= 0) buf_num(&text, error); else buf_str(&text, "none");
  respond_text(outparam, 200, text.data);
}

static void forge(int32_t outparam, const char *to) {
  int32_t headers = fields_new();
  append_str(headers, "x-wr-source", "evil.forged");
  append_str(headers, "x-wr-source-ns", "evil");
  append_str(headers, "x-wr-via-proxy", "1");
  append_str(headers, "x-wr-destination", "http://evil.target/steal");
  append_str(headers, "x-wr-namespace", "evil");
  append_str(headers, "x-wr-module", "target");
  append_str(headers, "traceparent", "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01");
  append_str(headers, "x-app", "kept");
  int32_t future;
  int error = start_call_to(headers, to != NULL ? to : TARGET, "/forged", &future);
  buf_t text = {0};
  if (error >= 0) {
    buf_str(&text, "error-code=");
    buf_num(&text, error);
    respond_text(outparam, 502, text.data);
    return;
  }
  buf_t body = {0};
  buf_str(&body, "");
  int status = finish_call(future, &body);
  buf_str(&text, "status=");
  buf_num(&text, status);
  buf_str(&text, " body=");
  buf_str(&text, body.data);
  respond_text(outparam, 200, text.data);
}

static void forged(int32_t outparam, int32_t request) {
  buf_t text = {0};
  buf_str(&text, "");
  for (size_t i = 0; i < sizeof REPORTED / sizeof REPORTED[0]; i++) {
    char *value = header(request, REPORTED[i]);
    if (value == NULL) continue;
    buf_str(&text, REPORTED[i]);
    buf_str(&text, ": ");
    buf_str(&text, value);
    buf_str(&text, "\n");
    free(value);
  }
  respond_text(outparam, 200, text.data);
}

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(int32_t request, int32_t outparam) {
  opt_string_t path;
  incoming_request_path(request, &path);
  char *to = header(request, "x-forge-to");
  int is_forged = path.tag == 1 && path.len == 7 && memcmp(path.ptr, "/forged", 7) == 0;
  if (is_forged) {
    forged(outparam, request);
    return;
  }
  incoming_request_drop(request);
  const char *p = path.tag == 1 ? path.ptr : "/";
  size_t len = path.tag == 1 ? path.len : 1;
  if (len > 8 && memcmp(p, "/fanout/", 8) == 0) {
    fanout(outparam, parse_count(p + 8, len - 8));
  } else if (len > 12 && memcmp(p, "/sequential/", 12) == 0) {
    sequential(outparam, parse_count(p + 12, len - 12));
  } else if (len == 6 && memcmp(p, "/forge", 6) == 0) {
    forge(outparam, to);
  } else if (len == 9 && memcmp(p, "/__health", 9) == 0) {
    respond_text(outparam, 200, "ok");
  } else {
    respond_text(outparam, 404, "unknown path");
  }
}
