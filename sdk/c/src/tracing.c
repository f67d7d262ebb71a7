/*
 * Module spans: wruntime:tracing/span@0.1.0 lowered by the Canonical ABI onto a core module.
 *
 * Flat forms used below (wasm32):
 *   attribute-value = variant { text(string), integer(s64), float(f64), boolean(bool) }
 *     flat: (i32 case, i64 payload, i32 payload): text -> (ptr, len), integer -> the value,
 *     float -> its bits, boolean -> 0 or 1; in memory 16 bytes, align 8: u8 case at 0, payload
 *     at 8.
 *   attribute = record { key: string, value: attribute-value }: 24 bytes, align 8 (key at 0,
 *     value at 8).
 *   result<own<span>, error> (error = variant { limit-exceeded(string), invalid-name(string) }):
 *     return area of 16 bytes, align 4: [0] u8 (0 ok, 1 err); ok: [4] i32 handle; err: [4] u8
 *     case, [8] i32 string pointer, [12] i32 length (memory from our cabi_realloc, ours to free).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wasi_abi.h"
#include "wruntime_tracing.h"

#define WR_TRACING "wruntime:tracing/span@0.1.0"

WR_IMPORT(WR_TRACING, "start")
void wr_abi_span_start(const char *name, int32_t name_len, uint8_t *ret);

WR_IMPORT(WR_TRACING, "start-root")
void wr_abi_span_start_root(const char *name, int32_t name_len, uint8_t *ret);

WR_IMPORT(WR_TRACING, "[method]span.set-attribute")
void wr_abi_span_set_attribute(int32_t self, const char *key, int32_t key_len, int32_t kind,
                               int64_t payload, int32_t payload2);

WR_IMPORT(WR_TRACING, "[method]span.record-event")
void wr_abi_span_record_event(int32_t self, const char *name, int32_t name_len,
                              const uint8_t *attrs, int32_t count);

WR_IMPORT(WR_TRACING, "[method]span.set-error")
void wr_abi_span_set_error(int32_t self, const char *message, int32_t message_len);

WR_IMPORT(WR_TRACING, "[resource-drop]span")
void wr_abi_span_drop(int32_t self);

struct wr_span {
  int32_t handle;
};

/* The lowered attribute record (see the top of this file). */
struct wr_abi_attribute {
  const char *key;
  int32_t key_len;
  uint8_t kind;
  uint8_t pad[7];
  union {
    struct {
      const char *ptr;
      int32_t len;
    } text;
    int64_t i;
    double d;
    uint8_t b;
  } value;
};
_Static_assert(sizeof(struct wr_abi_attribute) == 24, "attribute is 24 bytes");
_Static_assert(_Alignof(struct wr_abi_attribute) == 8, "attribute is 8-aligned");

static wr_span_t *start(int root, const char *name, wr_error_t *err) {
  _Alignas(4) uint8_t ret[16];
  size_t len = strlen(name);
  if (root) {
    wr_abi_span_start_root(name, (int32_t)len, ret);
  } else {
    wr_abi_span_start(name, (int32_t)len, ret);
  }
  if (ret[0] != 0) {
    uint8_t kind = ret[4];
    uint8_t *text;
    uint32_t text_len;
    memcpy(&text, ret + 8, sizeof text);
    memcpy(&text_len, ret + 12, sizeof text_len);
    wr__fail(err, kind == 0 ? WR_E_LIMIT : WR_E_INVALID, "%.*s", (int)text_len, (char *)text);
    free(text);
    return NULL;
  }
  wr_span_t *span = malloc(sizeof *span);
  int32_t handle;
  memcpy(&handle, ret + 4, sizeof handle);
  if (span == NULL) {
    wr_abi_span_drop(handle);
    wr__fail(err, WR_E_NOMEM, "out of memory");
    return NULL;
  }
  span->handle = handle;
  return span;
}

wr_span_t *wr_span_start(const char *name, wr_error_t *err) { return start(0, name, err); }

wr_span_t *wr_span_start_root(const char *name, wr_error_t *err) { return start(1, name, err); }

void wr_span_set_string(wr_span_t *span, const char *key, const char *value) {
  if (span != NULL) {
    wr_abi_span_set_attribute(span->handle, key, (int32_t)strlen(key), WR_ATTR_STRING,
                              (int64_t)(uint32_t)(uintptr_t)value, (int32_t)strlen(value));
  }
}

void wr_span_set_int(wr_span_t *span, const char *key, int64_t value) {
  if (span != NULL) {
    wr_abi_span_set_attribute(span->handle, key, (int32_t)strlen(key), WR_ATTR_INT, value, 0);
  }
}

void wr_span_set_double(wr_span_t *span, const char *key, double value) {
  if (span != NULL) {
    int64_t bits;
    memcpy(&bits, &value, sizeof bits);
    wr_abi_span_set_attribute(span->handle, key, (int32_t)strlen(key), WR_ATTR_DOUBLE, bits, 0);
  }
}

void wr_span_set_bool(wr_span_t *span, const char *key, int value) {
  if (span != NULL) {
    wr_abi_span_set_attribute(span->handle, key, (int32_t)strlen(key), WR_ATTR_BOOL,
                              value != 0, 0);
  }
}

int wr_span_event(wr_span_t *span, const char *name, const wr_attr_t *attrs, size_t count,
                  wr_error_t *err) {
  if (span == NULL) {
    return 0;
  }
  if (count > 128) {
    count = 128;
  }
  struct wr_abi_attribute *lowered = NULL;
  if (count > 0) {
    lowered = calloc(count, sizeof *lowered);
    if (lowered == NULL) {
      return wr__fail(err, WR_E_NOMEM, "out of memory");
    }
  }
  for (size_t i = 0; i < count; i++) {
    lowered[i].key = attrs[i].key;
    lowered[i].key_len = (int32_t)strlen(attrs[i].key);
    lowered[i].kind = (uint8_t)attrs[i].kind;
    switch (attrs[i].kind) {
      case WR_ATTR_STRING:
        lowered[i].value.text.ptr = attrs[i].value.string;
        lowered[i].value.text.len = (int32_t)strlen(attrs[i].value.string);
        break;
      case WR_ATTR_INT:
        lowered[i].value.i = attrs[i].value.i;
        break;
      case WR_ATTR_DOUBLE:
        lowered[i].value.d = attrs[i].value.d;
        break;
      case WR_ATTR_BOOL:
      default:
        lowered[i].kind = WR_ATTR_BOOL;
        lowered[i].value.b = attrs[i].value.b != 0;
        break;
    }
  }
  wr_abi_span_record_event(span->handle, name, (int32_t)strlen(name), (const uint8_t *)lowered,
                           (int32_t)count);
  free(lowered);
  return 0;
}

void wr_span_set_error(wr_span_t *span, const char *message) {
  if (span != NULL) {
    wr_abi_span_set_error(span->handle, message, (int32_t)strlen(message));
  }
}

void wr_span_end(wr_span_t *span) {
  if (span != NULL) {
    wr_abi_span_drop(span->handle);
    free(span);
  }
}
