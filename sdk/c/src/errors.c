/* Error reporting: SDK codes, wasi:http error-code decoding, wasi:io stream errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wasi_abi.h"

static const char *const http_error_names[] = {
    "dns-timeout",
    "dns-error",
    "destination-not-found",
    "destination-unavailable",
    "destination-ip-prohibited",
    "destination-ip-unroutable",
    "connection-refused",
    "connection-terminated",
    "connection-timeout",
    "connection-read-timeout",
    "connection-write-timeout",
    "connection-limit-reached",
    "tls-protocol-error",
    "tls-certificate-error",
    "tls-alert-received",
    "http-request-denied",
    "http-request-length-required",
    "http-request-body-size",
    "http-request-method-invalid",
    "http-request-uri-invalid",
    "http-request-uri-too-long",
    "http-request-header-section-size",
    "http-request-header-size",
    "http-request-trailer-section-size",
    "http-request-trailer-size",
    "http-response-incomplete",
    "http-response-header-section-size",
    "http-response-header-size",
    "http-response-body-size",
    "http-response-trailer-section-size",
    "http-response-trailer-size",
    "http-response-transfer-coding",
    "http-response-content-coding",
    "http-response-timeout",
    "http-upgrade-failed",
    "http-protocol-error",
    "loop-detected",
    "configuration-error",
    "internal-error",
};

#define HTTP_ERROR_COUNT ((int)(sizeof http_error_names / sizeof http_error_names[0]))

const char *wr_error_name(int code) {
  if (code >= 0) {
    return code < HTTP_ERROR_COUNT ? http_error_names[code] : "unknown-error-code";
  }
  switch (code) {
    case WR_E_INVALID:
      return "invalid";
    case WR_E_IO:
      return "io";
    case WR_E_CLOSED:
      return "closed";
    case WR_E_STATE:
      return "state";
    case WR_E_NOMEM:
      return "nomem";
    case WR_E_LIMIT:
      return "limit";
    default:
      return "unknown";
  }
}

int wr__fail(wr_error_t *err, int code, const char *format, ...) {
  if (err != NULL) {
    err->code = code;
    va_list args;
    va_start(args, format);
    vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
  }
  return -1;
}

char *wr__take_string(uint8_t *ptr, uint32_t len) {
  char *s = len > 0 ? realloc(ptr, (size_t)len + 1) : malloc(1);
  if (s == NULL) {
    if (len > 0) {
      free(ptr);
    }
    return NULL;
  }
  s[len] = '\0';
  return s;
}

static int32_t load_i32(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* Frees a host string unless it is empty (an empty list's pointer is not an allocation). */
static void free_host(const uint8_t *ptr_slot, const uint8_t *len_slot) {
  if (load_i32(len_slot) > 0) {
    free((void *)(uintptr_t)load_i32(ptr_slot));
  }
}

int wr__stream_error(const uint8_t *se, wr_error_t *err) {
  if (se[0] == 1) {
    return wr__fail(err, WR_E_CLOSED, "stream closed");
  }
  int32_t error = load_i32(se + 4);
  _Alignas(4) uint8_t ret[8];
  wr_abi_error_to_debug_string(error, ret);
  int32_t len = load_i32(ret + 4);
  const char *text = (const char *)(uintptr_t)load_i32(ret);
  wr__fail(err, WR_E_IO, "stream failed: %.*s", (int)len, len > 0 ? text : "");
  free_host(ret, ret + 4);
  wr_abi_error_drop(error);
  return -1;
}

/*
 * error-code in memory: u8 case at 0, payload at 8 (the variant's alignment is 8 because of the
 * option<u64> cases). Payload offsets below are relative to `p = ec + 8`:
 *   option<string>            some u8 @0, ptr @4, len @8
 *   dns-error-payload         rcode option<string> @0 (as above), info-code option<u16> @12
 *   tls-alert-received-payload  alert-id option<u8> @0, alert-message option<string> @4
 *   field-size-payload        field-name option<string> @0, field-size option<u32> @12
 *   option<field-size-payload>  some u8 @0, field-size-payload @4
 *   option<u32>               some u8 @0, value @4;  option<u64>: some u8 @0, value @8
 */
static void append_option_string(const uint8_t *opt, char *out, size_t cap) {
  if (opt[0] != 1) {
    return;
  }
  int32_t len = load_i32(opt + 8);
  const char *text = (const char *)(uintptr_t)load_i32(opt + 4);
  size_t used = strlen(out);
  if (used < cap) {
    snprintf(out + used, cap - used, ": %.*s", (int)len, len > 0 ? text : "");
  }
  free_host(opt + 4, opt + 8);
}

void wr__error_code(const uint8_t *ec, wr_error_t *err) {
  int code = ec[0];
  const uint8_t *p = ec + 8;
  char message[sizeof err->message];
  snprintf(message, sizeof message, "%s", wr_error_name(code));
  switch (code) {
    case WR_HTTP_DNS_ERROR:
    case WR_HTTP_REQUEST_TRAILER_SIZE:
    case WR_HTTP_RESPONSE_HEADER_SIZE:
    case WR_HTTP_RESPONSE_TRAILER_SIZE:
    case WR_HTTP_RESPONSE_TRANSFER_CODING:
    case WR_HTTP_RESPONSE_CONTENT_CODING:
    case WR_HTTP_INTERNAL_ERROR:
      append_option_string(p, message, sizeof message);
      break;
    case WR_HTTP_TLS_ALERT_RECEIVED:
      append_option_string(p + 4, message, sizeof message);
      break;
    case WR_HTTP_REQUEST_HEADER_SIZE:
      if (p[0] == 1) {
        append_option_string(p + 4, message, sizeof message);
      }
      break;
    default:
      break;
  }
  wr__fail(err, code, "%s", message);
}
