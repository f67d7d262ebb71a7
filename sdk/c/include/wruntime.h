/*
 * wruntime C guest SDK.
 *
 * A module built with this SDK is a core WebAssembly module (a WASI preview-1 reactor) that
 * speaks wasi:http 0.2 through its Canonical ABI lowering. The SDK provides the module's
 * `wasi:http/incoming-handler@0.2.0#handle` and `cabi_realloc` exports; the module provides one
 * function:
 *
 *     void wr_handle(wr_request_t *request, wr_response_t *response);
 *
 * which is called once per incoming request. Before calling it the SDK answers
 * `GET /__health` itself (200, body "ok"). When wr_handle returns:
 *   - without having started a response, the SDK answers 500;
 *   - after starting a response it did not finish, the SDK finishes it (unless a write failed or
 *     wr_response_abort was called, in which case the body is left unfinished so the host sees a
 *     truncated body rather than a complete one).
 *
 * Bodies stream: the SDK never holds a whole body in memory. Reads fill the caller's buffer
 * (at most `cap` bytes per call); writes go out as fast as the host's backpressure
 * (output-stream check-write) allows, without copying.
 *
 * Errors: functions that can fail return -1 (or NULL) and, when given a non-NULL `wr_error_t *`,
 * fill it with a code and a message. Codes >= 0 are wasi:http `error-code` cases (see
 * WR_HTTP_*), codes < 0 are the SDK's own (WR_E_*).
 *
 * Strings passed in are NUL-terminated UTF-8. Strings returned are owned by the object they came
 * from and stay valid until it is freed (for request/response: until wr_handle returns).
 *
 * Not thread-safe (WebAssembly modules are single-threaded here).
 */
#ifndef WRUNTIME_H
#define WRUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------------------------ */

/** SDK error codes (negative). Non-negative codes are wasi:http error-code cases. */
enum {
  /** An argument was invalid: a malformed URL, a header the host rejected, a bad status. */
  WR_E_INVALID = -1,
  /** A stream operation failed; the message carries the host's description. */
  WR_E_IO = -2,
  /** The other side closed the stream before everything was written. */
  WR_E_CLOSED = -3,
  /** The call is not valid in the current state (e.g. a header after the response started). */
  WR_E_STATE = -4,
  /** Out of memory. */
  WR_E_NOMEM = -5,
  /** A per-request cap of a host capability was reached (e.g. the span cap, max_spans). */
  WR_E_LIMIT = -6,
};

/** The wasi:http/types@0.2.x error-code cases (the variant discriminant), in WIT order. */
enum {
  WR_HTTP_DNS_TIMEOUT = 0,
  WR_HTTP_DNS_ERROR = 1,
  WR_HTTP_DESTINATION_NOT_FOUND = 2,
  WR_HTTP_DESTINATION_UNAVAILABLE = 3,
  WR_HTTP_DESTINATION_IP_PROHIBITED = 4,
  WR_HTTP_DESTINATION_IP_UNROUTABLE = 5,
  WR_HTTP_CONNECTION_REFUSED = 6,
  WR_HTTP_CONNECTION_TERMINATED = 7,
  WR_HTTP_CONNECTION_TIMEOUT = 8,
  WR_HTTP_CONNECTION_READ_TIMEOUT = 9,
  WR_HTTP_CONNECTION_WRITE_TIMEOUT = 10,
  WR_HTTP_CONNECTION_LIMIT_REACHED = 11,
  WR_HTTP_TLS_PROTOCOL_ERROR = 12,
  WR_HTTP_TLS_CERTIFICATE_ERROR = 13,
  WR_HTTP_TLS_ALERT_RECEIVED = 14,
  WR_HTTP_REQUEST_DENIED = 15,
  WR_HTTP_REQUEST_LENGTH_REQUIRED = 16,
  WR_HTTP_REQUEST_BODY_SIZE = 17,
  WR_HTTP_REQUEST_METHOD_INVALID = 18,
  WR_HTTP_REQUEST_URI_INVALID = 19,
  WR_HTTP_REQUEST_URI_TOO_LONG = 20,
  WR_HTTP_REQUEST_HEADER_SECTION_SIZE = 21,
  WR_HTTP_REQUEST_HEADER_SIZE = 22,
  WR_HTTP_REQUEST_TRAILER_SECTION_SIZE = 23,
  WR_HTTP_REQUEST_TRAILER_SIZE = 24,
  WR_HTTP_RESPONSE_INCOMPLETE = 25,
  WR_HTTP_RESPONSE_HEADER_SECTION_SIZE = 26,
  WR_HTTP_RESPONSE_HEADER_SIZE = 27,
  WR_HTTP_RESPONSE_BODY_SIZE = 28,
  WR_HTTP_RESPONSE_TRAILER_SECTION_SIZE = 29,
  WR_HTTP_RESPONSE_TRAILER_SIZE = 30,
  WR_HTTP_RESPONSE_TRANSFER_CODING = 31,
  WR_HTTP_RESPONSE_CONTENT_CODING = 32,
  WR_HTTP_RESPONSE_TIMEOUT = 33,
  WR_HTTP_UPGRADE_FAILED = 34,
  WR_HTTP_PROTOCOL_ERROR = 35,
  WR_HTTP_LOOP_DETECTED = 36,
  WR_HTTP_CONFIGURATION_ERROR = 37,
  WR_HTTP_INTERNAL_ERROR = 38,
};

/** What went wrong. `message` is NUL-terminated, truncated to fit. */
typedef struct wr_error {
  int code;
  char message[256];
} wr_error_t;

/**
 * The name of an error code: the wasi:http error-code case in lower-case kebab form for codes
 * >= 0 (e.g. "connection-refused"), the SDK's name for WR_E_* (e.g. "io"). Never NULL.
 */
const char *wr_error_name(int code);

/* ---- the incoming request ---------------------------------------------------------------- */

typedef struct wr_request wr_request_t;

/** The request method, e.g. "GET", "POST", or whatever the client sent. Never NULL. */
const char *wr_request_method(const wr_request_t *request);

/** The request path with its query, e.g. "/items/7?full=1". "/" when the request had none. */
const char *wr_request_path(const wr_request_t *request);

/**
 * Copies the first value of header `name` (case-insensitive) into `buf` (NUL-terminated,
 * truncated to `cap - 1` bytes; `buf` may be NULL when `cap` is 0). Returns the value's full
 * length, which is >= cap when it was truncated, or -1 when the header is absent.
 */
ssize_t wr_request_header(wr_request_t *request, const char *name, char *buf, size_t cap);

/**
 * Reads the next part of the request body into `buf`, blocking until at least one byte is
 * available. Returns the number of bytes read (1..cap), 0 at the end of the body, or -1 on error.
 */
ssize_t wr_request_read(wr_request_t *request, void *buf, size_t cap, wr_error_t *err);

/* ---- the response ------------------------------------------------------------------------ */

typedef struct wr_response wr_response_t;

/** Appends a response header. Only before wr_response_start. Returns 0, or -1 on error. */
int wr_response_header(wr_response_t *response, const char *name, const char *value,
                       wr_error_t *err);

/**
 * Sends the response head: `status` (100..999) and the headers added so far. After this the body
 * may be written. Returns 0, or -1 on error.
 */
int wr_response_start(wr_response_t *response, int status, wr_error_t *err);

/**
 * Writes `len` bytes of the body, blocking while the host applies backpressure. Starts the
 * response with status 200 when it was not started. Returns 0, or -1 on error (e.g. the client
 * went away); after an error the body will not be finished.
 */
int wr_response_write(wr_response_t *response, const void *data, size_t len, wr_error_t *err);

/** Ends the body (flushes it and finishes it). Returns 0, or -1 on error. */
int wr_response_finish(wr_response_t *response, wr_error_t *err);

/**
 * Abandons a started response: the body is closed without being finished, so the host treats it
 * as incomplete (it resets the stream instead of ending it cleanly).
 */
void wr_response_abort(wr_response_t *response);

/** Whether the response head was sent. */
int wr_response_started(const wr_response_t *response);

/**
 * The whole response in one call: optional content-type (NULL for none), status and a body of
 * `len` bytes (may be 0). Returns 0, or -1 on error.
 */
int wr_respond(wr_response_t *response, int status, const char *content_type, const void *body,
               size_t len, wr_error_t *err);

/* ---- outbound HTTP ----------------------------------------------------------------------- */

typedef struct wr_client_request wr_client_request_t;
typedef struct wr_client_response wr_client_response_t;

/**
 * Prepares an outbound request. `url` is absolute: `http://authority/path?query` (or https);
 * inside wruntime, `http://{namespace}.{module}/{path}` reaches another module. Returns NULL on
 * error (malformed URL, out of memory).
 */
wr_client_request_t *wr_client_request_new(const char *method, const char *url, wr_error_t *err);

/** Appends a request header. Only before the request is sent. Returns 0, or -1 on error. */
int wr_client_request_header(wr_client_request_t *request, const char *name, const char *value,
                             wr_error_t *err);

/**
 * Hands the request head to the host; the body follows with wr_client_request_write. Called
 * implicitly by the first write or by finish. Returns 0, or -1 on error (the request can then
 * only be freed with wr_client_request_abort).
 */
int wr_client_request_send(wr_client_request_t *request, wr_error_t *err);

/**
 * Writes `len` bytes of the request body, blocking while the host applies backpressure. Returns
 * 0, or -1 on error.
 */
int wr_client_request_write(wr_client_request_t *request, const void *data, size_t len,
                            wr_error_t *err);

/**
 * Ends the request body and waits for the response head. Always frees `request`. Returns the
 * response, or NULL on error (with the wasi:http error-code in err->code when the host reported
 * one, e.g. WR_HTTP_CONNECTION_REFUSED).
 */
wr_client_response_t *wr_client_request_finish(wr_client_request_t *request, wr_error_t *err);

/** Frees a request without completing it (the host sees an unfinished body). NULL is allowed. */
void wr_client_request_abort(wr_client_request_t *request);

/** The response status code. */
int wr_client_response_status(const wr_client_response_t *response);

/** As wr_request_header, for the response's headers. */
ssize_t wr_client_response_header(wr_client_response_t *response, const char *name, char *buf,
                                  size_t cap);

/** As wr_request_read, for the response body. */
ssize_t wr_client_response_read(wr_client_response_t *response, void *buf, size_t cap,
                                wr_error_t *err);

/** Frees the response (stops reading its body). NULL is allowed. */
void wr_client_response_free(wr_client_response_t *response);

/* ---- logging ----------------------------------------------------------------------------- */

typedef enum wr_log_level { WR_DEBUG, WR_INFO, WR_WARN, WR_ERROR } wr_log_level_t;

/**
 * Writes one line "LEVEL message" to the module's stderr (the wasi:cli/stderr output-stream; the
 * engine tags it with the module and the trace id). printf-style; lines longer than 1 KiB are
 * truncated.
 */
void wr_log(wr_log_level_t level, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* ---- the module's entry point ------------------------------------------------------------ */

/** Defined by the module: handles one request. See the top of this file for the contract. */
void wr_handle(wr_request_t *request, wr_response_t *response);

#ifdef __cplusplus
}
#endif

#endif
