/*
 * Outbound HTTP over wasi:http/outgoing-handler. The request head goes to the host before the
 * body is written, so the body streams with backpressure instead of being buffered by the host.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "wasi_abi.h"

static const char *const method_names[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                           "CONNECT", "OPTIONS", "TRACE", "PATCH"};

enum { METHOD_OTHER = 9, SCHEME_HTTP = 0, SCHEME_HTTPS = 1, SCHEME_OTHER = 2 };

static int32_t load_i32(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static char *copy_range(const char *start, size_t len) {
  char *out = malloc(len + 1);
  if (out != NULL) {
    memcpy(out, start, len);
    out[len] = '\0';
  }
  return out;
}

static void free_request(wr_client_request_t *request) {
  free(request->method_other);
  free(request->scheme_other);
  free(request->authority);
  free(request->path);
  free(request);
}

wr_client_request_t *wr_client_request_new(const char *method, const char *url, wr_error_t *err) {
  if (method == NULL || method[0] == '\0') {
    wr__fail(err, WR_E_INVALID, "method: empty (expected: e.g. GET or POST)");
    return NULL;
  }
  if (url == NULL) {
    wr__fail(err, WR_E_INVALID, "url: NULL (expected: http://authority/path)");
    return NULL;
  }
  const char *sep = strstr(url, "://");
  if (sep == NULL || sep == url) {
    wr__fail(err, WR_E_INVALID, "url %s: no scheme (expected: http://authority/path)", url);
    return NULL;
  }
  const char *authority = sep + 3;
  size_t authority_len = strcspn(authority, "/?#");
  if (authority_len == 0) {
    wr__fail(err, WR_E_INVALID, "url %s: no authority (expected: http://authority/path)", url);
    return NULL;
  }
  const char *path = authority + authority_len;
  size_t path_len = strcspn(path, "#"); /* the fragment is not sent */

  wr_client_request_t *request = calloc(1, sizeof *request);
  if (request == NULL) {
    wr__fail(err, WR_E_NOMEM, "out of memory");
    return NULL;
  }
  request->fields = WR_NO_HANDLE;
  request->future = WR_NO_HANDLE;
  request->writer.body = WR_NO_HANDLE;
  request->writer.stream = WR_NO_HANDLE;

  request->method_case = METHOD_OTHER;
  for (int i = 0; i < METHOD_OTHER; i++) {
    if (strcmp(method, method_names[i]) == 0) {
      request->method_case = i;
    }
  }
  size_t scheme_len = (size_t)(sep - url);
  if (scheme_len == 4 && strncasecmp(url, "http", 4) == 0) {
    request->scheme_case = SCHEME_HTTP;
  } else if (scheme_len == 5 && strncasecmp(url, "https", 5) == 0) {
    request->scheme_case = SCHEME_HTTPS;
  } else {
    request->scheme_case = SCHEME_OTHER;
  }

  int oom = 0;
  if (request->method_case == METHOD_OTHER) {
    oom |= (request->method_other = copy_range(method, strlen(method))) == NULL;
  }
  if (request->scheme_case == SCHEME_OTHER) {
    oom |= (request->scheme_other = copy_range(url, scheme_len)) == NULL;
  }
  oom |= (request->authority = copy_range(authority, authority_len)) == NULL;
  if (path_len == 0) {
    request->path = copy_range("/", 1);
  } else if (path[0] == '?') {
    request->path = malloc(path_len + 2);
    if (request->path != NULL) {
      request->path[0] = '/';
      memcpy(request->path + 1, path, path_len);
      request->path[path_len + 1] = '\0';
    }
  } else {
    request->path = copy_range(path, path_len);
  }
  oom |= request->path == NULL;
  if (oom) {
    free_request(request);
    wr__fail(err, WR_E_NOMEM, "out of memory");
    return NULL;
  }
  return request;
}

int wr_client_request_header(wr_client_request_t *request, const char *name, const char *value,
                             wr_error_t *err) {
  if (request->sent) {
    return wr__fail(err, WR_E_STATE, "header %s: the request was already sent",
                    name != NULL ? name : "(null)");
  }
  if (request->fields == WR_NO_HANDLE) {
    request->fields = wr_abi_fields_new();
  }
  return wr__fields_append(request->fields, name, value, err);
}

static const char *method_text(const wr_client_request_t *request) {
  return request->method_case == METHOD_OTHER ? request->method_other
                                              : method_names[request->method_case];
}

int wr_client_request_send(wr_client_request_t *request, wr_error_t *err) {
  if (request->sent) {
    return request->future != WR_NO_HANDLE
               ? 0
               : wr__fail(err, WR_E_STATE, "the request failed earlier");
  }
  request->sent = 1;
  int32_t fields = request->fields != WR_NO_HANDLE ? request->fields : wr_abi_fields_new();
  request->fields = WR_NO_HANDLE;
  int32_t outgoing = wr_abi_outgoing_request_new(fields); /* takes the fields */

  const char *other = request->method_other;
  if (wr_abi_outgoing_request_set_method(outgoing, request->method_case, other,
                                         other != NULL ? (int32_t)strlen(other) : 0) != 0) {
    wr_abi_outgoing_request_drop(outgoing);
    return wr__fail(err, WR_E_INVALID, "method %s: rejected by the host", method_text(request));
  }
  other = request->scheme_other;
  if (wr_abi_outgoing_request_set_scheme(outgoing, 1, request->scheme_case, other,
                                         other != NULL ? (int32_t)strlen(other) : 0) != 0) {
    wr_abi_outgoing_request_drop(outgoing);
    return wr__fail(err, WR_E_INVALID, "scheme %s: rejected by the host",
                    other != NULL ? other : (request->scheme_case ? "https" : "http"));
  }
  if (wr_abi_outgoing_request_set_authority(outgoing, 1, request->authority,
                                            (int32_t)strlen(request->authority)) != 0) {
    wr_abi_outgoing_request_drop(outgoing);
    return wr__fail(err, WR_E_INVALID, "authority %s: rejected by the host", request->authority);
  }
  if (wr_abi_outgoing_request_set_path_with_query(outgoing, 1, request->path,
                                                  (int32_t)strlen(request->path)) != 0) {
    wr_abi_outgoing_request_drop(outgoing);
    return wr__fail(err, WR_E_INVALID, "path %s: rejected by the host", request->path);
  }

  _Alignas(4) uint8_t body_ret[8];
  wr_abi_outgoing_request_body(outgoing, body_ret);
  if (body_ret[0] != 0) {
    wr_abi_outgoing_request_drop(outgoing);
    return wr__fail(err, WR_E_STATE, "outgoing-request.body: the body was already taken");
  }
  if (wr__writer_open(&request->writer, load_i32(body_ret + 4), err) != 0) {
    wr__writer_abort(&request->writer);
    wr_abi_outgoing_request_drop(outgoing);
    return -1;
  }

  _Alignas(8) uint8_t ret[40];
  wr_abi_outgoing_handler_handle(outgoing, 0, 0, ret); /* takes the request */
  if (ret[0] != 0) {
    wr__writer_abort(&request->writer);
    wr__error_code(ret + 8, err);
    return -1;
  }
  request->future = load_i32(ret + 8);
  return 0;
}

int wr_client_request_write(wr_client_request_t *request, const void *data, size_t len,
                            wr_error_t *err) {
  if (wr_client_request_send(request, err) != 0) {
    return -1;
  }
  if (wr__writer_write(&request->writer, data, len, err) != 0) {
    wr__writer_abort(&request->writer);
    return -1;
  }
  return 0;
}

void wr_client_request_abort(wr_client_request_t *request) {
  if (request == NULL) {
    return;
  }
  wr__writer_abort(&request->writer);
  if (request->fields != WR_NO_HANDLE) {
    wr_abi_fields_drop(request->fields);
  }
  if (request->future != WR_NO_HANDLE) {
    wr_abi_future_incoming_response_drop(request->future);
  }
  free_request(request);
}

wr_client_response_t *wr_client_request_finish(wr_client_request_t *request, wr_error_t *err) {
  if (wr_client_request_send(request, err) != 0) {
    wr_client_request_abort(request);
    return NULL;
  }
  if (request->writer.body == WR_NO_HANDLE) {
    wr__fail(err, WR_E_STATE, "the request body failed earlier");
    wr_client_request_abort(request);
    return NULL;
  }
  if (wr__writer_finish(&request->writer, err) != 0) {
    wr_client_request_abort(request);
    return NULL;
  }

  int32_t future = request->future;
  request->future = WR_NO_HANDLE;
  wr_client_request_abort(request);

  _Alignas(8) uint8_t ret[56];
  wr_abi_future_incoming_response_get(future, ret);
  if (ret[0] == 0) {
    /* Not ready: block on the future's pollable (a child, dropped before the future). */
    int32_t pollable = wr_abi_future_incoming_response_subscribe(future);
    do {
      wr_abi_pollable_block(pollable);
      wr_abi_future_incoming_response_get(future, ret);
    } while (ret[0] == 0);
    wr_abi_pollable_drop(pollable);
  }
  wr_abi_future_incoming_response_drop(future);
  if (ret[8] != 0) {
    wr__fail(err, WR_E_STATE, "future-incoming-response.get: the response was already taken");
    return NULL;
  }
  if (ret[16] != 0) {
    wr__error_code(ret + 24, err);
    return NULL;
  }
  int32_t handle = load_i32(ret + 24);

  wr_client_response_t *response = calloc(1, sizeof *response);
  if (response == NULL) {
    wr_abi_incoming_response_drop(handle);
    wr__fail(err, WR_E_NOMEM, "out of memory");
    return NULL;
  }
  response->handle = handle;
  response->headers = WR_NO_HANDLE;
  response->reader.body = WR_NO_HANDLE;
  response->reader.stream = WR_NO_HANDLE;
  response->status = wr_abi_incoming_response_status(handle) & 0xffff;
  return response;
}

int wr_client_response_status(const wr_client_response_t *response) {
  return response->status;
}

ssize_t wr_client_response_header(wr_client_response_t *response, const char *name, char *buf,
                                  size_t cap) {
  if (response->headers == WR_NO_HANDLE) {
    response->headers = wr_abi_incoming_response_headers(response->handle);
  }
  return wr__fields_lookup(response->headers, name, buf, cap);
}

ssize_t wr_client_response_read(wr_client_response_t *response, void *buf, size_t cap,
                                wr_error_t *err) {
  if (!response->consumed) {
    response->consumed = 1;
    _Alignas(4) uint8_t ret[8];
    wr_abi_incoming_response_consume(response->handle, ret);
    if (ret[0] != 0) {
      response->reader.eof = 1;
      return wr__fail(err, WR_E_STATE, "incoming-response.consume: the body was already taken");
    }
    response->reader.body = load_i32(ret + 4);
    wr_abi_incoming_body_stream(response->reader.body, ret);
    if (ret[0] != 0) {
      response->reader.eof = 1;
      return wr__fail(err, WR_E_STATE, "incoming-body.stream: the stream was already taken");
    }
    response->reader.stream = load_i32(ret + 4);
  }
  return wr__reader_read(&response->reader, buf, cap, err);
}

void wr_client_response_free(wr_client_response_t *response) {
  if (response == NULL) {
    return;
  }
  wr__reader_close(&response->reader);
  if (response->headers != WR_NO_HANDLE) {
    wr_abi_fields_drop(response->headers);
  }
  wr_abi_incoming_response_drop(response->handle);
  free(response);
}
