/*
 * The incoming side: the wasi:http/incoming-handler export, the request and the response.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wasi_abi.h"

static const char *const method_names[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                           "CONNECT", "OPTIONS", "TRACE", "PATCH"};

static int32_t load_i32(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static char *copy_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *out = malloc(n);
  if (out != NULL) {
    memcpy(out, s, n);
  }
  return out;
}

static char *load_method(int32_t request) {
  _Alignas(4) uint8_t ret[12];
  wr_abi_incoming_request_method(request, ret);
  if (ret[0] < 9) {
    return copy_string(method_names[ret[0]]);
  }
  return wr__take_string((uint8_t *)(uintptr_t)load_i32(ret + 4), (uint32_t)load_i32(ret + 8));
}

static char *load_path(int32_t request) {
  _Alignas(4) uint8_t ret[12];
  wr_abi_incoming_request_path_with_query(request, ret);
  if (ret[0] == 0 || load_i32(ret + 8) == 0) {
    return copy_string("/"); /* none, or an empty string (which owns no allocation) */
  }
  return wr__take_string((uint8_t *)(uintptr_t)load_i32(ret + 4), (uint32_t)load_i32(ret + 8));
}

/* ---- request ----------------------------------------------------------------------------- */

const char *wr_request_method(const wr_request_t *request) {
  return request->method != NULL ? request->method : "";
}

const char *wr_request_path(const wr_request_t *request) {
  return request->path != NULL ? request->path : "/";
}

ssize_t wr_request_header(wr_request_t *request, const char *name, char *buf, size_t cap) {
  if (request->headers == WR_NO_HANDLE) {
    request->headers = wr_abi_incoming_request_headers(request->handle);
  }
  return wr__fields_lookup(request->headers, name, buf, cap);
}

ssize_t wr_request_read(wr_request_t *request, void *buf, size_t cap, wr_error_t *err) {
  if (!request->consumed) {
    request->consumed = 1;
    _Alignas(4) uint8_t ret[8];
    wr_abi_incoming_request_consume(request->handle, ret);
    if (ret[0] != 0) {
      request->reader.eof = 1;
      return wr__fail(err, WR_E_STATE, "incoming-request.consume: the body was already taken");
    }
    request->reader.body = load_i32(ret + 4);
    wr_abi_incoming_body_stream(request->reader.body, ret);
    if (ret[0] != 0) {
      request->reader.eof = 1;
      return wr__fail(err, WR_E_STATE, "incoming-body.stream: the stream was already taken");
    }
    request->reader.stream = load_i32(ret + 4);
  }
  return wr__reader_read(&request->reader, buf, cap, err);
}

/* ---- response ---------------------------------------------------------------------------- */

int wr_response_header(wr_response_t *response, const char *name, const char *value,
                       wr_error_t *err) {
  if (response->started) {
    return wr__fail(err, WR_E_STATE, "header %s: the response was already started",
                    name != NULL ? name : "(null)");
  }
  if (response->fields == WR_NO_HANDLE) {
    response->fields = wr_abi_fields_new();
  }
  return wr__fields_append(response->fields, name, value, err);
}

int wr_response_start(wr_response_t *response, int status, wr_error_t *err) {
  if (response->started) {
    return wr__fail(err, WR_E_STATE, "the response was already started");
  }
  if (status < 100 || status > 999) {
    return wr__fail(err, WR_E_INVALID, "status %d (expected: 100..999)", status);
  }
  int32_t fields = response->fields != WR_NO_HANDLE ? response->fields : wr_abi_fields_new();
  response->fields = WR_NO_HANDLE;
  int32_t outgoing = wr_abi_outgoing_response_new(fields); /* takes the fields */
  if (wr_abi_outgoing_response_set_status_code(outgoing, status) != 0) {
    wr_abi_outgoing_response_drop(outgoing);
    return wr__fail(err, WR_E_INVALID, "status %d: rejected by the host", status);
  }
  _Alignas(4) uint8_t ret[8];
  wr_abi_outgoing_response_body(outgoing, ret);
  if (ret[0] != 0) {
    wr_abi_outgoing_response_drop(outgoing);
    return wr__fail(err, WR_E_STATE, "outgoing-response.body: the body was already taken");
  }
  int32_t body = load_i32(ret + 4);
  /* The body must be taken before set: set moves the response to the host. */
  wr_abi_response_outparam_set(response->outparam, 0, outgoing, 0, 0, 0, 0, 0, 0);
  response->outparam = WR_NO_HANDLE;
  response->started = 1;
  if (wr__writer_open(&response->writer, body, err) != 0) {
    response->failed = 1;
    wr__writer_abort(&response->writer);
    return -1;
  }
  return 0;
}

int wr_response_write(wr_response_t *response, const void *data, size_t len, wr_error_t *err) {
  if (response->finished || response->failed) {
    return wr__fail(err, WR_E_STATE, "the response body was already %s",
                    response->finished ? "finished" : "abandoned after an error");
  }
  if (!response->started && wr_response_start(response, 200, err) != 0) {
    return -1;
  }
  if (wr__writer_write(&response->writer, data, len, err) != 0) {
    response->failed = 1;
    wr__writer_abort(&response->writer);
    return -1;
  }
  return 0;
}

int wr_response_finish(wr_response_t *response, wr_error_t *err) {
  if (response->finished) {
    return 0;
  }
  if (response->failed) {
    return wr__fail(err, WR_E_STATE, "the response body was abandoned after an error");
  }
  if (!response->started && wr_response_start(response, 200, err) != 0) {
    return -1;
  }
  response->finished = 1;
  if (wr__writer_finish(&response->writer, err) != 0) {
    response->failed = 1;
    return -1;
  }
  return 0;
}

void wr_response_abort(wr_response_t *response) {
  if (response->started && !response->finished) {
    response->failed = 1;
    wr__writer_abort(&response->writer);
  }
}

int wr_response_started(const wr_response_t *response) {
  return response->started;
}

int wr_respond(wr_response_t *response, int status, const char *content_type, const void *body,
               size_t len, wr_error_t *err) {
  if (content_type != NULL &&
      wr_response_header(response, "content-type", content_type, err) != 0) {
    return -1;
  }
  if (wr_response_start(response, status, err) != 0) {
    return -1;
  }
  if (len > 0 && wr_response_write(response, body, len, err) != 0) {
    return -1;
  }
  return wr_response_finish(response, err);
}

/* ---- the export -------------------------------------------------------------------------- */

static int is_health_check(const wr_request_t *request) {
  const char *path = wr_request_path(request);
  static const char health[] = "/__health";
  return strcmp(wr_request_method(request), "GET") == 0 &&
         strncmp(path, health, sizeof health - 1) == 0 &&
         (path[sizeof health - 1] == '\0' || path[sizeof health - 1] == '?');
}

static void respond_text(wr_response_t *response, int status, const char *text) {
  wr_error_t err;
  if (wr_respond(response, status, "text/plain; charset=utf-8", text, strlen(text), &err) != 0) {
    wr_log(WR_WARN, "could not send the %d response: %s", status, err.message);
  }
}

__attribute__((export_name("wasi:http/incoming-handler@0.2.0#handle"))) void wr__export_handle(
    int32_t request_handle, int32_t outparam) {
  wr_request_t request = {
      .handle = request_handle,
      .headers = WR_NO_HANDLE,
      .reader = {.body = WR_NO_HANDLE, .stream = WR_NO_HANDLE},
  };
  wr_response_t response = {
      .outparam = outparam,
      .fields = WR_NO_HANDLE,
      .writer = {.body = WR_NO_HANDLE, .stream = WR_NO_HANDLE},
  };
  request.method = load_method(request_handle);
  request.path = load_path(request_handle);

  if (request.method == NULL || request.path == NULL) {
    respond_text(&response, 500, "out of memory\n");
  } else if (is_health_check(&request)) {
    respond_text(&response, 200, "ok");
  } else {
    wr_handle(&request, &response);
    if (!response.started) {
      wr_log(WR_ERROR, "%s %s: the handler returned without responding", request.method,
             request.path);
      if (response.fields != WR_NO_HANDLE) {
        wr_abi_fields_drop(response.fields);
        response.fields = WR_NO_HANDLE;
      }
      respond_text(&response, 500, "the module's handler returned without responding\n");
    } else if (!response.finished && !response.failed) {
      wr_error_t err;
      if (wr_response_finish(&response, &err) != 0) {
        wr_log(WR_WARN, "%s %s: finishing the response failed: %s", request.method,
               request.path, err.message);
      }
    }
  }

  /* Children before their parents: stream, body, headers, then the request. */
  wr__writer_abort(&response.writer);
  wr__reader_close(&request.reader);
  if (request.headers != WR_NO_HANDLE) {
    wr_abi_fields_drop(request.headers);
  }
  wr_abi_incoming_request_drop(request_handle);
  free(request.method);
  free(request.path);
}
