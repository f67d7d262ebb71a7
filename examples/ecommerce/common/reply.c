#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

long read_all_request(wr_request_t *request, unsigned char *buf, size_t cap, wr_error_t *err) {
  size_t used = 0;
  for (;;) {
    unsigned char spill;
    /* Once buf is full, one more byte tells a body of exactly cap bytes from a larger one. */
    ssize_t n = used < cap ? wr_request_read(request, buf + used, cap - used, err)
                           : wr_request_read(request, &spill, 1, err);
    if (n == 0) {
      return (long)used;
    }
    if (n < 0) {
      return -2;
    }
    if (used == cap) {
      return -1;
    }
    used += (size_t)n;
  }
}

long read_all_response(wr_client_response_t *response, unsigned char *buf, size_t cap,
                       wr_error_t *err) {
  size_t used = 0;
  for (;;) {
    unsigned char spill;
    ssize_t n = used < cap ? wr_client_response_read(response, buf + used, cap - used, err)
                           : wr_client_response_read(response, &spill, 1, err);
    if (n == 0) {
      return (long)used;
    }
    if (n < 0) {
      return -2;
    }
    if (used == cap) {
      return -1;
    }
    used += (size_t)n;
  }
}

/* Appends text to out as the inside of a JSON string; returns the new length (never past cap-1). */
static size_t json_escape(char *out, size_t at, size_t cap, const char *text) {
  for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
    char esc[8];
    size_t n;
    if (*p == '"' || *p == '\\') {
      esc[0] = '\\';
      esc[1] = (char)*p;
      n = 2;
    } else if (*p < 0x20) {
      n = (size_t)snprintf(esc, sizeof esc, "\\u%04x", *p);
    } else {
      esc[0] = (char)*p;
      n = 1;
    }
    if (cap - at <= n) {
      break;
    }
    memcpy(out + at, esc, n);
    at += n;
  }
  out[at] = '\0';
  return at;
}

void reply_error(wr_response_t *response, int status, const char *code, const char *format, ...) {
  char message[768];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);

  static char json[2048];
  size_t at = 0;
  static const char head[] = "{\"error\": \"";
  memcpy(json, head, sizeof head - 1);
  at = json_escape(json, sizeof head - 1, sizeof json - 64, message);
  at += (size_t)snprintf(json + at, sizeof json - at, "\", \"code\": \"%s\"}\n", code);
  if (status >= 500) {
    wr_log(WR_WARN, "%d %s: %s", status, code, message);
  }
  wr_respond(response, status, "application/json", json, at, NULL);
}

void reply_protobuf(wr_response_t *response, const void *body, size_t len) {
  wr_respond(response, 200, "application/protobuf", body, len, NULL);
}

int copy_sku(const unsigned char *data, size_t len, char *out) {
  if (len == 0 || len > SKU_MAX) {
    return 0;
  }
  for (size_t i = 0; i < len; i++) {
    unsigned char c = data[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '.' || c == '_' || c == '-')) {
      return 0;
    }
  }
  memcpy(out, data, len);
  out[len] = '\0';
  return 1;
}

int copy_warehouse(const unsigned char *data, size_t len, char *out) {
  if (len == 0 || len > WAREHOUSE_MAX || data[0] == '-' || data[len - 1] == '-') {
    return 0;
  }
  for (size_t i = 0; i < len; i++) {
    unsigned char c = data[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return 0;
    }
  }
  memcpy(out, data, len);
  out[len] = '\0';
  return 1;
}
