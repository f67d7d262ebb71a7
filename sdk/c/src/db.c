/*
 * PostgreSQL: wruntime:db/database@0.1.0 lowered by the Canonical ABI onto a core module.
 *
 * Layouts used below (wasm32):
 *   value = variant (20 cases): 24 bytes, align 8: u8 case at 0, payload at 8 (bool u8, s16, s32,
 *     s64, f32, f64; strings and bytea as (ptr, len); interval: months at 8, days at 12,
 *     microseconds at 16; oid u32; array-value: u8 case at 8, list (ptr, len) at 12).
 *   array element option<T>: u8 case at 0, the value at T's alignment: bool 2 bytes (at 1), s16 4
 *     (at 2), s32/f32 8 (at 4), s64/f64 16 (at 8), string/bytea 12 (at 4).
 *   column = record { name, type-name }: 16 bytes. row = list<value>: (ptr, len).
 *   error = variant: 24 bytes, align 4: u8 case at 0, string at 4; query-error: message at 4,
 *     sqlstate option<string>: u8 case at 12, string at 16.
 *   query / query-stream / next-batch / begin / commit / rollback return areas: 28 bytes, align 4,
 *     u8 result case at 0, payload at 4. execute: 32 bytes, align 8, payload at 8.
 * Lists and strings the host returns come from our cabi_realloc: ours to free (not when empty).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wasi_abi.h"
#include "wruntime_db.h"

#define WR_DB "wruntime:db/database@0.1.0"

WR_IMPORT(WR_DB, "query")
void wr_abi_db_query(const char *sql, int32_t sql_len, const void *params, int32_t count,
                     uint8_t *ret);
WR_IMPORT(WR_DB, "execute")
void wr_abi_db_execute(const char *sql, int32_t sql_len, const void *params, int32_t count,
                       uint8_t *ret);
WR_IMPORT(WR_DB, "query-stream")
void wr_abi_db_query_stream(const char *sql, int32_t sql_len, const void *params, int32_t count,
                            uint8_t *ret);
WR_IMPORT(WR_DB, "begin-transaction")
void wr_abi_db_begin(uint8_t *ret);
WR_IMPORT(WR_DB, "[method]cursor.columns")
void wr_abi_db_cursor_columns(int32_t self, uint8_t *ret);
WR_IMPORT(WR_DB, "[method]cursor.next-batch")
void wr_abi_db_cursor_next(int32_t self, int32_t max_rows, uint8_t *ret);
WR_IMPORT(WR_DB, "[method]transaction.query")
void wr_abi_db_tx_query(int32_t self, const char *sql, int32_t sql_len, const void *params,
                        int32_t count, uint8_t *ret);
WR_IMPORT(WR_DB, "[method]transaction.execute")
void wr_abi_db_tx_execute(int32_t self, const char *sql, int32_t sql_len, const void *params,
                          int32_t count, uint8_t *ret);
WR_IMPORT(WR_DB, "[method]transaction.query-stream")
void wr_abi_db_tx_query_stream(int32_t self, const char *sql, int32_t sql_len,
                               const void *params, int32_t count, uint8_t *ret);
WR_IMPORT(WR_DB, "[method]transaction.commit")
void wr_abi_db_tx_commit(int32_t self, uint8_t *ret);
WR_IMPORT(WR_DB, "[method]transaction.rollback")
void wr_abi_db_tx_rollback(int32_t self, uint8_t *ret);
WR_IMPORT(WR_DB, "[resource-drop]cursor")
void wr_abi_db_cursor_drop(int32_t self);
WR_IMPORT(WR_DB, "[resource-drop]transaction")
void wr_abi_db_tx_drop(int32_t self);

struct wr_abi_value {
  uint8_t kind;
  uint8_t pad[7];
  union {
    uint8_t b;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    struct {
      const void *ptr;
      uint32_t len;
    } s;
    struct {
      int32_t months;
      int32_t days;
      int64_t micros;
    } iv;
    struct {
      uint8_t kind;
      uint8_t pad[3];
      const void *ptr;
      uint32_t len;
    } arr;
  } u;
};
_Static_assert(sizeof(struct wr_abi_value) == 24, "value is 24 bytes");
_Static_assert(_Alignof(struct wr_abi_value) == 8, "value is aligned to 8");

struct wr_db_result {
  size_t rows;
  size_t columns;
  char **names;
  char **types;
  wr_db_value_t *values;
};

struct wr_db_cursor {
  int32_t handle;
  size_t columns;
  char **names;
  char **types;
};

struct wr_db_tx {
  int32_t handle;
};

/* The array-value case of each element kind (-1: not an array element kind). */
static int array_case(int kind) {
  static const int cases[] = {-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -1, 12, 13, 14, -1, -1};
  return kind >= 0 && kind <= WR_DB_ARRAY ? cases[kind] : -1;
}

static const int array_kinds[] = {WR_DB_BOOL,   WR_DB_INT2,        WR_DB_INT4,      WR_DB_INT8,
                                  WR_DB_FLOAT4, WR_DB_FLOAT8,      WR_DB_TEXT,      WR_DB_BYTEA,
                                  WR_DB_TIMESTAMPTZ, WR_DB_TIMESTAMP, WR_DB_DATE,  WR_DB_TIME,
                                  WR_DB_NUMERIC, WR_DB_UUID,       WR_DB_JSONB};

static size_t element_align(int kind) {
  switch (kind) {
    case WR_DB_BOOL:
      return 1;
    case WR_DB_INT2:
      return 2;
    case WR_DB_INT8:
    case WR_DB_FLOAT8:
    case WR_DB_TIMESTAMPTZ:
    case WR_DB_TIMESTAMP:
    case WR_DB_TIME:
      return 8;
    default:
      return 4;
  }
}

static size_t element_size(int kind) {
  switch (kind) {
    case WR_DB_BOOL:
      return 2;
    case WR_DB_INT2:
      return 4;
    case WR_DB_TEXT:
    case WR_DB_BYTEA:
    case WR_DB_NUMERIC:
    case WR_DB_UUID:
    case WR_DB_JSONB:
      return 12;
    case WR_DB_INT4:
    case WR_DB_DATE:
    case WR_DB_FLOAT4:
      return 8;
    default:
      return 16;
  }
}

static int is_bytes(int kind) {
  return kind == WR_DB_TEXT || kind == WR_DB_BYTEA || kind == WR_DB_NUMERIC ||
         kind == WR_DB_UUID || kind == WR_DB_JSONB;
}

static uint32_t load_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static int fail(wr_db_error_t *err, int kind, const char *message, size_t len) {
  if (err != NULL) {
    err->kind = kind;
    err->sqlstate[0] = '\0';
    snprintf(err->message, sizeof err->message, "%.*s", (int)len, message);
  }
  return -1;
}

const char *wr_db_error_name(int kind) {
  switch (kind) {
    case WR_DB_E_CONNECTION:
      return "connection";
    case WR_DB_E_QUERY:
      return "query";
    case WR_DB_E_INVALID_PARAMETER:
      return "invalid-parameter";
    case WR_DB_E_LIMIT_EXCEEDED:
      return "limit-exceeded";
    case WR_DB_E_CLOSED:
      return "closed";
    default:
      return "unknown";
  }
}

/* Frees a host (ptr, len) list or string at `p`. */
static void free_host(const uint8_t *p) {
  if (load_u32(p + 4) > 0) {
    free((void *)(uintptr_t)load_u32(p));
  }
}

/* Decodes an error at `e` into err and frees its host strings; returns -1. */
static int take_error(const uint8_t *e, wr_db_error_t *err) {
  int kind = e[0];
  fail(err, kind, (const char *)(uintptr_t)load_u32(e + 4), load_u32(e + 8));
  free_host(e + 4);
  if (kind == WR_DB_E_QUERY && e[12] != 0) {
    if (err != NULL) {
      snprintf(err->sqlstate, sizeof err->sqlstate, "%.*s", (int)load_u32(e + 20),
               (const char *)(uintptr_t)load_u32(e + 16));
    }
    free_host(e + 16);
  }
  return -1;
}

/* ---- constructors ------------------------------------------------------------------------- */

wr_db_value_t wr_db_null(void) {
  wr_db_value_t v = {.kind = WR_DB_NULL};
  return v;
}
wr_db_value_t wr_db_bool(int value) {
  wr_db_value_t v = {.kind = WR_DB_BOOL, .as.boolean = value != 0};
  return v;
}
wr_db_value_t wr_db_int2(int16_t value) {
  wr_db_value_t v = {.kind = WR_DB_INT2, .as.int2 = value};
  return v;
}
wr_db_value_t wr_db_int4(int32_t value) {
  wr_db_value_t v = {.kind = WR_DB_INT4, .as.int4 = value};
  return v;
}
wr_db_value_t wr_db_int8(int64_t value) {
  wr_db_value_t v = {.kind = WR_DB_INT8, .as.int8 = value};
  return v;
}
wr_db_value_t wr_db_float4(float value) {
  wr_db_value_t v = {.kind = WR_DB_FLOAT4, .as.float4 = value};
  return v;
}
wr_db_value_t wr_db_float8(double value) {
  wr_db_value_t v = {.kind = WR_DB_FLOAT8, .as.float8 = value};
  return v;
}
static wr_db_value_t bytes_value(wr_db_kind_t kind, const void *data, size_t len) {
  wr_db_value_t v = {.kind = kind};
  v.as.bytes.ptr = (const char *)data;
  v.as.bytes.len = len;
  return v;
}
wr_db_value_t wr_db_text(const char *value) {
  return bytes_value(WR_DB_TEXT, value, value != NULL ? strlen(value) : 0);
}
wr_db_value_t wr_db_bytea(const void *data, size_t len) {
  return bytes_value(WR_DB_BYTEA, data, len);
}
wr_db_value_t wr_db_numeric(const char *decimal) {
  return bytes_value(WR_DB_NUMERIC, decimal, decimal != NULL ? strlen(decimal) : 0);
}
wr_db_value_t wr_db_uuid(const char *uuid) {
  return bytes_value(WR_DB_UUID, uuid, uuid != NULL ? strlen(uuid) : 0);
}
wr_db_value_t wr_db_jsonb(const char *json) {
  return bytes_value(WR_DB_JSONB, json, json != NULL ? strlen(json) : 0);
}
wr_db_value_t wr_db_timestamptz(int64_t micros_since_epoch) {
  wr_db_value_t v = {.kind = WR_DB_TIMESTAMPTZ, .as.int8 = micros_since_epoch};
  return v;
}
wr_db_value_t wr_db_date(int32_t days_since_epoch) {
  wr_db_value_t v = {.kind = WR_DB_DATE, .as.date = days_since_epoch};
  return v;
}
wr_db_value_t wr_db_array(const wr_db_array_t *array) {
  wr_db_value_t v = {.kind = WR_DB_ARRAY, .as.array = array};
  return v;
}

/* ---- lowering parameters ------------------------------------------------------------------ */

/* Parameters in ABI form: the values and one block per array, freed together. */
struct lowered {
  struct wr_abi_value *values;
  void **blocks;
  size_t block_count;
};

static void lowered_free(struct lowered *l) {
  for (size_t i = 0; i < l->block_count; i++) {
    free(l->blocks[i]);
  }
  free(l->blocks);
  free(l->values);
}

static void store_scalar(uint8_t *p, const wr_db_value_t *v) {
  switch (v->kind) {
    case WR_DB_BOOL:
      *p = v->as.boolean != 0;
      break;
    case WR_DB_INT2:
      memcpy(p, &v->as.int2, 2);
      break;
    case WR_DB_INT4:
      memcpy(p, &v->as.int4, 4);
      break;
    case WR_DB_DATE:
      memcpy(p, &v->as.date, 4);
      break;
    case WR_DB_OID:
      memcpy(p, &v->as.oid, 4);
      break;
    case WR_DB_FLOAT4:
      memcpy(p, &v->as.float4, 4);
      break;
    case WR_DB_FLOAT8:
      memcpy(p, &v->as.float8, 8);
      break;
    case WR_DB_INTERVAL:
      memcpy(p, &v->as.interval.months, 4);
      memcpy(p + 4, &v->as.interval.days, 4);
      memcpy(p + 8, &v->as.interval.microseconds, 8);
      break;
    default:
      if (is_bytes(v->kind)) {
        uint32_t ptr = (uint32_t)(uintptr_t)v->as.bytes.ptr;
        uint32_t len = (uint32_t)v->as.bytes.len;
        memcpy(p, &ptr, 4);
        memcpy(p + 4, &len, 4);
      } else {
        memcpy(p, &v->as.int8, 8); /* int8, timestamptz, timestamp, time */
      }
      break;
  }
}

static int lower(const wr_db_value_t *params, size_t count, struct lowered *out,
                 wr_db_error_t *err) {
  memset(out, 0, sizeof *out);
  out->values = calloc(count + 1, sizeof *out->values);
  out->blocks = calloc(count + 1, sizeof *out->blocks);
  if (out->values == NULL || out->blocks == NULL) {
    lowered_free(out);
    return fail(err, WR_DB_E_INVALID_PARAMETER, "out of memory", 13);
  }
  for (size_t i = 0; i < count; i++) {
    const wr_db_value_t *v = &params[i];
    struct wr_abi_value *a = &out->values[i];
    if (v->kind < WR_DB_NULL || v->kind > WR_DB_ARRAY) {
      char m[96];
      int n = snprintf(m, sizeof m, "parameter $%zu has no valid kind (%d)", i + 1, (int)v->kind);
      lowered_free(out);
      return fail(err, WR_DB_E_INVALID_PARAMETER, m, (size_t)n);
    }
    a->kind = (uint8_t)v->kind;
    if (v->kind == WR_DB_NULL) {
      continue;
    }
    if (v->kind != WR_DB_ARRAY) {
      store_scalar((uint8_t *)&a->u, v);
      continue;
    }
    const wr_db_array_t *arr = v->as.array;
    int c = arr != NULL ? array_case(arr->element_kind) : -1;
    if (c < 0) {
      char m[128];
      int n = snprintf(m, sizeof m,
                       "parameter $%zu is an array of kind %d (expected: a scalar kind other than"
                       " null, interval and oid)",
                       i + 1, arr != NULL ? (int)arr->element_kind : -1);
      lowered_free(out);
      return fail(err, WR_DB_E_INVALID_PARAMETER, m, (size_t)n);
    }
    size_t size = element_size(arr->element_kind);
    size_t align = element_align(arr->element_kind);
    uint8_t *block = calloc(arr->count + 1, size);
    if (block == NULL) {
      lowered_free(out);
      return fail(err, WR_DB_E_INVALID_PARAMETER, "out of memory", 13);
    }
    out->blocks[out->block_count++] = block;
    for (size_t e = 0; e < arr->count; e++) {
      const wr_db_value_t *ev = &arr->elements[e];
      uint8_t *slot = block + e * size;
      if (ev->kind == WR_DB_NULL) {
        continue;
      }
      if (ev->kind != arr->element_kind) {
        char m[128];
        int n = snprintf(m, sizeof m,
                         "parameter $%zu: element %zu has kind %d (expected: the array's kind %d"
                         " or null)",
                         i + 1, e, (int)ev->kind, (int)arr->element_kind);
        lowered_free(out);
        return fail(err, WR_DB_E_INVALID_PARAMETER, m, (size_t)n);
      }
      slot[0] = 1;
      store_scalar(slot + align, ev);
    }
    a->u.arr.kind = (uint8_t)c;
    a->u.arr.ptr = block;
    a->u.arr.len = (uint32_t)arr->count;
  }
  return 0;
}

/* ---- lifting results ---------------------------------------------------------------------- */

static void value_free(wr_db_value_t *v) {
  if (is_bytes(v->kind)) {
    free((void *)v->as.bytes.ptr);
  } else if (v->kind == WR_DB_ARRAY && v->as.array != NULL) {
    wr_db_array_t *arr = (wr_db_array_t *)v->as.array;
    for (size_t e = 0; e < arr->count; e++) {
      value_free((wr_db_value_t *)&arr->elements[e]);
    }
    free((void *)arr->elements);
    free(arr);
  }
  v->kind = WR_DB_NULL;
}

/* Lifts a scalar of `kind` stored at `p`; bytes are taken from the host (freed by value_free). */
static void lift_scalar(const uint8_t *p, int kind, wr_db_value_t *v) {
  v->kind = kind;
  switch (kind) {
    case WR_DB_BOOL:
      v->as.boolean = *p != 0;
      break;
    case WR_DB_INT2:
      memcpy(&v->as.int2, p, 2);
      break;
    case WR_DB_INT4:
      memcpy(&v->as.int4, p, 4);
      break;
    case WR_DB_DATE:
      memcpy(&v->as.date, p, 4);
      break;
    case WR_DB_OID:
      memcpy(&v->as.oid, p, 4);
      break;
    case WR_DB_FLOAT4:
      memcpy(&v->as.float4, p, 4);
      break;
    case WR_DB_FLOAT8:
      memcpy(&v->as.float8, p, 8);
      break;
    case WR_DB_INTERVAL:
      memcpy(&v->as.interval.months, p, 4);
      memcpy(&v->as.interval.days, p + 4, 4);
      memcpy(&v->as.interval.microseconds, p + 8, 8);
      break;
    default:
      if (is_bytes(kind)) {
        uint32_t len = load_u32(p + 4);
        char *s = wr__take_string((uint8_t *)(uintptr_t)load_u32(p), len);
        v->as.bytes.ptr = s;
        v->as.bytes.len = s != NULL ? len : 0;
      } else {
        memcpy(&v->as.int8, p, 8);
      }
      break;
  }
}

static void lift_value(const struct wr_abi_value *a, wr_db_value_t *v) {
  memset(v, 0, sizeof *v);
  if (a->kind == WR_DB_NULL || a->kind > WR_DB_ARRAY) {
    v->kind = WR_DB_NULL;
    return;
  }
  if (a->kind != WR_DB_ARRAY) {
    lift_scalar((const uint8_t *)&a->u, a->kind, v);
    return;
  }
  int kind = a->u.arr.kind < 15 ? array_kinds[a->u.arr.kind] : WR_DB_TEXT;
  size_t size = element_size(kind);
  size_t align = element_align(kind);
  size_t count = a->u.arr.len;
  const uint8_t *block = a->u.arr.ptr;
  wr_db_array_t *arr = calloc(1, sizeof *arr);
  wr_db_value_t *elements = calloc(count + 1, sizeof *elements);
  if (arr == NULL || elements == NULL) {
    __builtin_trap();
  }
  for (size_t e = 0; e < count; e++) {
    const uint8_t *slot = block + e * size;
    if (slot[0] == 0) {
      elements[e].kind = WR_DB_NULL;
    } else {
      lift_scalar(slot + align, kind, &elements[e]);
    }
  }
  if (count > 0) {
    free((void *)block);
  }
  arr->element_kind = kind;
  arr->elements = elements;
  arr->count = count;
  v->kind = WR_DB_ARRAY;
  v->as.array = arr;
}

/* Takes a host list<column> at `p` into names and types; returns the count. */
static size_t lift_columns(const uint8_t *p, char ***names, char ***types) {
  size_t n = load_u32(p + 4);
  const uint8_t *cols = (const uint8_t *)(uintptr_t)load_u32(p);
  *names = calloc(n + 1, sizeof **names);
  *types = calloc(n + 1, sizeof **types);
  if (*names == NULL || *types == NULL) {
    __builtin_trap();
  }
  for (size_t i = 0; i < n; i++) {
    (*names)[i] = wr__take_string((uint8_t *)(uintptr_t)load_u32(cols + 16 * i),
                                  load_u32(cols + 16 * i + 4));
    (*types)[i] = wr__take_string((uint8_t *)(uintptr_t)load_u32(cols + 16 * i + 8),
                                  load_u32(cols + 16 * i + 12));
  }
  if (n > 0) {
    free((void *)cols);
  }
  return n;
}

/* Takes a host list<row> at `p` into a result with `columns` columns (names set by the caller). */
static wr_db_result_t *lift_rows(const uint8_t *p, size_t columns) {
  wr_db_result_t *r = calloc(1, sizeof *r);
  if (r == NULL) {
    __builtin_trap();
  }
  size_t n = load_u32(p + 4);
  const uint8_t *rows = (const uint8_t *)(uintptr_t)load_u32(p);
  r->rows = n;
  r->columns = columns;
  r->values = calloc(n * columns + 1, sizeof *r->values);
  if (r->values == NULL) {
    __builtin_trap();
  }
  for (size_t i = 0; i < n; i++) {
    const struct wr_abi_value *vals =
        (const struct wr_abi_value *)(uintptr_t)load_u32(rows + 8 * i);
    size_t len = load_u32(rows + 8 * i + 4);
    for (size_t c = 0; c < len && c < columns; c++) {
      lift_value(&vals[c], &r->values[i * columns + c]);
    }
    if (len > 0) {
      free((void *)vals);
    }
  }
  if (n > 0) {
    free((void *)rows);
  }
  return r;
}

static char **copy_strings(char **from, size_t n) {
  char **to = calloc(n + 1, sizeof *to);
  if (to == NULL) {
    __builtin_trap();
  }
  for (size_t i = 0; i < n; i++) {
    to[i] = strdup(from[i] != NULL ? from[i] : "");
  }
  return to;
}

size_t wr_db_result_rows(const wr_db_result_t *result) {
  return result != NULL ? result->rows : 0;
}

size_t wr_db_result_columns(const wr_db_result_t *result) {
  return result != NULL ? result->columns : 0;
}

const char *wr_db_result_column_name(const wr_db_result_t *result, size_t column) {
  return result != NULL && column < result->columns ? result->names[column] : NULL;
}

const char *wr_db_result_column_type(const wr_db_result_t *result, size_t column) {
  return result != NULL && column < result->columns ? result->types[column] : NULL;
}

const wr_db_value_t *wr_db_result_value(const wr_db_result_t *result, size_t row, size_t column) {
  if (result == NULL || row >= result->rows || column >= result->columns) {
    return NULL;
  }
  return &result->values[row * result->columns + column];
}

static void free_strings(char **strings, size_t n) {
  if (strings == NULL) {
    return;
  }
  for (size_t i = 0; i < n; i++) {
    free(strings[i]);
  }
  free(strings);
}

void wr_db_result_free(wr_db_result_t *result) {
  if (result == NULL) {
    return;
  }
  for (size_t i = 0; i < result->rows * result->columns; i++) {
    value_free(&result->values[i]);
  }
  free(result->values);
  free_strings(result->names, result->columns);
  free_strings(result->types, result->columns);
  free(result);
}

/* ---- statements --------------------------------------------------------------------------- */

typedef void (*stmt_fn)(int32_t self, const char *sql, int32_t len, const void *params,
                        int32_t count, uint8_t *ret);

static void call_query(int32_t self, const char *sql, int32_t len, const void *params,
                       int32_t count, uint8_t *ret) {
  if (self == WR_NO_HANDLE) {
    wr_abi_db_query(sql, len, params, count, ret);
  } else {
    wr_abi_db_tx_query(self, sql, len, params, count, ret);
  }
}

static void call_execute(int32_t self, const char *sql, int32_t len, const void *params,
                         int32_t count, uint8_t *ret) {
  if (self == WR_NO_HANDLE) {
    wr_abi_db_execute(sql, len, params, count, ret);
  } else {
    wr_abi_db_tx_execute(self, sql, len, params, count, ret);
  }
}

static void call_stream(int32_t self, const char *sql, int32_t len, const void *params,
                        int32_t count, uint8_t *ret) {
  if (self == WR_NO_HANDLE) {
    wr_abi_db_query_stream(sql, len, params, count, ret);
  } else {
    wr_abi_db_tx_query_stream(self, sql, len, params, count, ret);
  }
}

/* Lowers params and calls `fn`; -1 (err set) when the parameters cannot be lowered. */
static int call(stmt_fn fn, int32_t self, const char *sql, const wr_db_value_t *params,
                size_t count, uint8_t *ret, wr_db_error_t *err) {
  struct lowered l;
  if (lower(params, count, &l, err) != 0) {
    return -1;
  }
  if (sql == NULL) {
    sql = "";
  }
  fn(self, sql, (int32_t)strlen(sql), l.values, (int32_t)count, ret);
  lowered_free(&l);
  return 0;
}

static wr_db_result_t *query(int32_t self, const char *sql, const wr_db_value_t *params,
                             size_t count, wr_db_error_t *err) {
  _Alignas(8) uint8_t ret[32];
  if (call(call_query, self, sql, params, count, ret, err) != 0) {
    return NULL;
  }
  if (ret[0] != 0) {
    take_error(ret + 4, err);
    return NULL;
  }
  char **names, **types;
  size_t columns = lift_columns(ret + 4, &names, &types);
  wr_db_result_t *r = lift_rows(ret + 12, columns);
  r->names = names;
  r->types = types;
  return r;
}

static int64_t execute(int32_t self, const char *sql, const wr_db_value_t *params, size_t count,
                       wr_db_error_t *err) {
  _Alignas(8) uint8_t ret[32];
  if (call(call_execute, self, sql, params, count, ret, err) != 0) {
    return -1;
  }
  if (ret[0] != 0) {
    return take_error(ret + 8, err);
  }
  uint64_t changed;
  memcpy(&changed, ret + 8, 8);
  return changed > INT64_MAX ? INT64_MAX : (int64_t)changed;
}

static wr_db_cursor_t *stream(int32_t self, const char *sql, const wr_db_value_t *params,
                              size_t count, wr_db_error_t *err) {
  _Alignas(8) uint8_t ret[32];
  if (call(call_stream, self, sql, params, count, ret, err) != 0) {
    return NULL;
  }
  if (ret[0] != 0) {
    take_error(ret + 4, err);
    return NULL;
  }
  wr_db_cursor_t *cursor = calloc(1, sizeof *cursor);
  if (cursor == NULL) {
    __builtin_trap();
  }
  cursor->handle = (int32_t)load_u32(ret + 4);
  _Alignas(8) uint8_t cols[8];
  wr_abi_db_cursor_columns(cursor->handle, cols);
  cursor->columns = lift_columns(cols, &cursor->names, &cursor->types);
  return cursor;
}

wr_db_result_t *wr_db_query(const char *sql, const wr_db_value_t *params, size_t count,
                            wr_db_error_t *err) {
  return query(WR_NO_HANDLE, sql, params, count, err);
}

int64_t wr_db_execute(const char *sql, const wr_db_value_t *params, size_t count,
                      wr_db_error_t *err) {
  return execute(WR_NO_HANDLE, sql, params, count, err);
}

wr_db_cursor_t *wr_db_query_stream(const char *sql, const wr_db_value_t *params, size_t count,
                                   wr_db_error_t *err) {
  return stream(WR_NO_HANDLE, sql, params, count, err);
}

/* ---- cursors ------------------------------------------------------------------------------ */

wr_db_result_t *wr_db_cursor_next(wr_db_cursor_t *cursor, uint32_t max_rows, wr_db_error_t *err) {
  if (cursor == NULL) {
    fail(err, WR_DB_E_CLOSED, "no cursor", 9);
    return NULL;
  }
  _Alignas(8) uint8_t ret[32];
  wr_abi_db_cursor_next(cursor->handle, (int32_t)max_rows, ret);
  if (ret[0] != 0) {
    take_error(ret + 4, err);
    return NULL;
  }
  wr_db_result_t *r = lift_rows(ret + 4, cursor->columns);
  r->names = copy_strings(cursor->names, cursor->columns);
  r->types = copy_strings(cursor->types, cursor->columns);
  return r;
}

void wr_db_cursor_free(wr_db_cursor_t *cursor) {
  if (cursor == NULL) {
    return;
  }
  wr_abi_db_cursor_drop(cursor->handle);
  free_strings(cursor->names, cursor->columns);
  free_strings(cursor->types, cursor->columns);
  free(cursor);
}

/* ---- transactions ------------------------------------------------------------------------- */

wr_db_tx_t *wr_db_begin(wr_db_error_t *err) {
  _Alignas(8) uint8_t ret[32];
  wr_abi_db_begin(ret);
  if (ret[0] != 0) {
    take_error(ret + 4, err);
    return NULL;
  }
  wr_db_tx_t *tx = calloc(1, sizeof *tx);
  if (tx == NULL) {
    __builtin_trap();
  }
  tx->handle = (int32_t)load_u32(ret + 4);
  return tx;
}

wr_db_result_t *wr_db_tx_query(wr_db_tx_t *tx, const char *sql, const wr_db_value_t *params,
                               size_t count, wr_db_error_t *err) {
  if (tx == NULL) {
    fail(err, WR_DB_E_CLOSED, "no transaction", 14);
    return NULL;
  }
  return query(tx->handle, sql, params, count, err);
}

int64_t wr_db_tx_execute(wr_db_tx_t *tx, const char *sql, const wr_db_value_t *params,
                         size_t count, wr_db_error_t *err) {
  if (tx == NULL) {
    return fail(err, WR_DB_E_CLOSED, "no transaction", 14);
  }
  return execute(tx->handle, sql, params, count, err);
}

wr_db_cursor_t *wr_db_tx_query_stream(wr_db_tx_t *tx, const char *sql,
                                      const wr_db_value_t *params, size_t count,
                                      wr_db_error_t *err) {
  if (tx == NULL) {
    fail(err, WR_DB_E_CLOSED, "no transaction", 14);
    return NULL;
  }
  return stream(tx->handle, sql, params, count, err);
}

static int end(wr_db_tx_t *tx, int commit, wr_db_error_t *err) {
  if (tx == NULL) {
    return fail(err, WR_DB_E_CLOSED, "no transaction", 14);
  }
  _Alignas(8) uint8_t ret[32];
  if (commit) {
    wr_abi_db_tx_commit(tx->handle, ret);
  } else {
    wr_abi_db_tx_rollback(tx->handle, ret);
  }
  int rc = ret[0] != 0 ? take_error(ret + 4, err) : 0;
  wr_abi_db_tx_drop(tx->handle);
  free(tx);
  return rc;
}

int wr_db_tx_commit(wr_db_tx_t *tx, wr_db_error_t *err) {
  return end(tx, 1, err);
}

int wr_db_tx_rollback(wr_db_tx_t *tx, wr_db_error_t *err) {
  return end(tx, 0, err);
}

void wr_db_tx_free(wr_db_tx_t *tx) {
  if (tx == NULL) {
    return;
  }
  wr_abi_db_tx_drop(tx->handle);
  free(tx);
}
