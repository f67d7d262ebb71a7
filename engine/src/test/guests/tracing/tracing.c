/*
 * tracing: a test guest using every function of wruntime:tracing through the C SDK
 * (wruntime_tracing.h). Paths:
 *   GET /spans   span "outer" (attributes of each kind, an event, a child "inner" marked failed,
 *                ended before "outer"), then a root span "detached"; answers "ok"
 *   GET /leak    starts "leaked" and never ends it; answers "ok"
 *   GET /limit   starts and ends spans until a start fails; answers 503 with the error's name and
 *                message (or 200 "no limit" when 100 spans started)
 *   GET /call    under span "calling", calls http://example.echo/ping; answers with the call's
 *                status (or 502 and the error)
 *   GET /bad     passes an attribute-value case the interface does not have (the host must fail
 *                the request, not the engine)
 */
#include <stdio.h>
#include <string.h>

#include <wruntime.h>
#include <wruntime_tracing.h>

__attribute__((import_module("wruntime:tracing/span@0.1.0"),
               import_name("[method]span.set-attribute"))) void
raw_set_attribute(int32_t self, const char *key, int32_t key_len, int32_t kind, int64_t payload,
                  int32_t payload2);

static void text(wr_response_t *response, int status, const char *body) {
  wr_respond(response, status, "text/plain; charset=utf-8", body, strlen(body), NULL);
}

static void spans(wr_response_t *response) {
  wr_error_t err;
  wr_span_t *outer = wr_span_start("outer", &err);
  if (outer == NULL) {
    text(response, 500, err.message);
    return;
  }
  wr_span_set_string(outer, "cart.id", "c-42");
  wr_span_set_int(outer, "cart.items", 3);
  wr_span_set_double(outer, "cart.total", 12.5);
  wr_span_set_bool(outer, "cart.member", 1);
  wr_attr_t attrs[] = {WR_ATTR_S("step", "priced"), WR_ATTR_I("lines", 2),
                       WR_ATTR_D("ratio", 0.25), WR_ATTR_B("cached", 0)};
  if (wr_span_event(outer, "checkpoint", attrs, 4, &err) != 0) {
    text(response, 500, err.message);
    return;
  }
  wr_span_t *inner = wr_span_start("inner", &err);
  if (inner == NULL) {
    text(response, 500, err.message);
    return;
  }
  wr_span_set_error(inner, "payment declined");
  wr_span_end(inner);
  wr_span_end(outer);
  wr_span_t *detached = wr_span_start_root("detached", &err);
  if (detached == NULL) {
    text(response, 500, err.message);
    return;
  }
  wr_span_end(detached);
  text(response, 200, "ok");
}

static void limit(wr_response_t *response) {
  wr_error_t err;
  for (int i = 0; i < 100; i++) {
    wr_span_t *span = wr_span_start("step", &err);
    if (span == NULL) {
      char body[sizeof err.message + 32];
      snprintf(body, sizeof body, "%s: %s", wr_error_name(err.code), err.message);
      text(response, 503, body);
      return;
    }
    wr_span_end(span);
  }
  text(response, 200, "no limit");
}

static void call(wr_response_t *response) {
  wr_error_t err;
  wr_span_t *span = wr_span_start("calling", &err);
  if (span == NULL) {
    text(response, 500, err.message);
    return;
  }
  wr_client_request_t *request = wr_client_request_new("GET", "http://example.echo/ping", &err);
  wr_client_response_t *reply = request == NULL ? NULL : wr_client_request_finish(request, &err);
  wr_span_end(span);
  if (reply == NULL) {
    text(response, 502, err.message);
    return;
  }
  char body[16];
  snprintf(body, sizeof body, "%d", wr_client_response_status(reply));
  wr_client_response_free(reply);
  text(response, 200, body);
}

void wr_handle(wr_request_t *request, wr_response_t *response) {
  const char *path = wr_request_path(request);
  wr_error_t err;
  if (strcmp(path, "/spans") == 0) {
    spans(response);
  } else if (strcmp(path, "/leak") == 0) {
    wr_span_start("leaked", &err);
    text(response, 200, "ok");
  } else if (strcmp(path, "/limit") == 0) {
    limit(response);
  } else if (strcmp(path, "/call") == 0) {
    call(response);
  } else if (strcmp(path, "/bad") == 0) {
    wr_span_t *span = wr_span_start("bad", &err);
    if (span != NULL) {
      /* struct wr_span's first field is the handle */
      raw_set_attribute(*(int32_t *)span, "k", 1, 9, 0, 0);
    }
    text(response, 200, "not reached");
  } else {
    text(response, 404, "unknown path");
  }
}
