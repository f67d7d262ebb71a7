/*
 * wruntime_db.h — PostgreSQL for a module: the C wrapper of wruntime:db/database@0.1.0.
 *
 * Granted by [module.capabilities.db] in the module's [[module]] entry. The module works in its
 * own schema (wr__{namespace}__{name}); unqualified table names resolve there.
 *
 *     wr_db_error_t err;
 *     wr_db_value_t params[] = {wr_db_text("widget"), wr_db_int4(3)};
 *     int64_t changed = wr_db_execute("UPDATE stock SET qty = qty - $2 WHERE sku = $1",
 *                                     params, 2, &err);
 *     if (changed < 0) {
 *       ... err.kind is WR_DB_E_QUERY (err.message is PostgreSQL's, err.sqlstate its code), ...
 *     }
 *
 *     wr_db_result_t *rows = wr_db_query("SELECT sku, qty FROM stock", NULL, 0, &err);
 *     for (size_t r = 0; r < wr_db_result_rows(rows); r++) {
 *       const wr_db_value_t *qty = wr_db_result_value(rows, r, 1);   (qty->kind == WR_DB_INT4)
 *     }
 *     wr_db_result_free(rows);
 *
 *     wr_db_tx_t *tx = wr_db_begin(&err);
 *     wr_db_tx_execute(tx, "...", params, 2, &err);
 *     wr_db_tx_commit(tx, &err);        (frees tx; wr_db_tx_free without commit rolls back)
 *
 * Values passed in are borrowed for the duration of the call. Values returned belong to the
 * result (or batch) they came from and stay valid until it is freed. Not thread-safe.
 */
#ifndef WRUNTIME_DB_H
#define WRUNTIME_DB_H

#include <stddef.h>
#include <stdint.h>

#include "wruntime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The kind of a value: the cases of the WIT `value` variant, in WIT order. */
typedef enum wr_db_kind {
  WR_DB_NULL = 0,
  WR_DB_BOOL = 1,
  WR_DB_INT2 = 2,
  WR_DB_INT4 = 3,
  WR_DB_INT8 = 4,
  WR_DB_FLOAT4 = 5,
  WR_DB_FLOAT8 = 6,
  WR_DB_TEXT = 7,
  WR_DB_BYTEA = 8,
  /** Microseconds since the Unix epoch, UTC. */
  WR_DB_TIMESTAMPTZ = 9,
  /** Microseconds since 1970-01-01 00:00, no time zone. */
  WR_DB_TIMESTAMP = 10,
  /** Days since 1970-01-01. */
  WR_DB_DATE = 11,
  /** Microseconds since midnight. */
  WR_DB_TIME = 12,
  WR_DB_INTERVAL = 13,
  /** Exact decimal text, in `text`. */
  WR_DB_NUMERIC = 14,
  /** Canonical text form, in `text`. */
  WR_DB_UUID = 15,
  /** JSON text, in `text`. */
  WR_DB_JSONB = 16,
  WR_DB_OID = 17,
  WR_DB_ARRAY = 18,
} wr_db_kind_t;

typedef struct wr_db_interval {
  int32_t months;
  int32_t days;
  int64_t microseconds;
} wr_db_interval_t;

/** Bytes with a length; for text kinds also NUL-terminated in values the host returns. */
typedef struct wr_db_bytes {
  const char *ptr;
  size_t len;
} wr_db_bytes_t;

typedef struct wr_db_array wr_db_array_t;

/** A value: `kind` says which member of `as` holds it. */
typedef struct wr_db_value {
  wr_db_kind_t kind;
  union {
    int boolean;
    int16_t int2;
    int32_t int4;
    /** Also timestamptz, timestamp and time. */
    int64_t int8;
    float float4;
    double float8;
    /** Also date. */
    int32_t date;
    uint32_t oid;
    /** text, numeric, uuid, jsonb and bytea. */
    wr_db_bytes_t bytes;
    wr_db_interval_t interval;
    const wr_db_array_t *array;
  } as;
} wr_db_value_t;

/**
 * A one-dimensional array: `element_kind` is a scalar kind other than WR_DB_NULL, WR_DB_INTERVAL,
 * WR_DB_OID and WR_DB_ARRAY (the WIT `array-value` cases); `elements[i].kind` is `element_kind`
 * or WR_DB_NULL.
 */
struct wr_db_array {
  wr_db_kind_t element_kind;
  const wr_db_value_t *elements;
  size_t count;
};

/* Constructors of parameters. Strings are NUL-terminated; they are borrowed, not copied. */
wr_db_value_t wr_db_null(void);
wr_db_value_t wr_db_bool(int value);
wr_db_value_t wr_db_int2(int16_t value);
wr_db_value_t wr_db_int4(int32_t value);
wr_db_value_t wr_db_int8(int64_t value);
wr_db_value_t wr_db_float4(float value);
wr_db_value_t wr_db_float8(double value);
wr_db_value_t wr_db_text(const char *value);
wr_db_value_t wr_db_bytea(const void *data, size_t len);
wr_db_value_t wr_db_numeric(const char *decimal);
wr_db_value_t wr_db_uuid(const char *uuid);
wr_db_value_t wr_db_jsonb(const char *json);
wr_db_value_t wr_db_timestamptz(int64_t micros_since_epoch);
wr_db_value_t wr_db_date(int32_t days_since_epoch);
wr_db_value_t wr_db_array(const wr_db_array_t *array);

/** What went wrong (the cases of the WIT `error` variant). */
typedef enum wr_db_error_kind {
  /** The database cannot be reached, or the pool gave no connection in time. */
  WR_DB_E_CONNECTION = 0,
  /** PostgreSQL refused the statement: `message` is its message, `sqlstate` its code or "". */
  WR_DB_E_QUERY = 1,
  /** A parameter cannot be converted: the message names it (1-based) and the types. */
  WR_DB_E_INVALID_PARAMETER = 2,
  /** The request reached [limits] transactions or [limits] cursors. */
  WR_DB_E_LIMIT_EXCEEDED = 3,
  /** The transaction or cursor was already finished. */
  WR_DB_E_CLOSED = 4,
} wr_db_error_kind_t;

typedef struct wr_db_error {
  wr_db_error_kind_t kind;
  /** NUL-terminated, truncated to fit. */
  char message[512];
  /** PostgreSQL's SQLSTATE (5 characters) for WR_DB_E_QUERY when it gave one, else "". */
  char sqlstate[6];
} wr_db_error_t;

/** The kind's name as in the WIT: "connection", "query", ... Never NULL. */
const char *wr_db_error_name(int kind);

/* ---- results ------------------------------------------------------------------------------ */

/** Rows with their columns (a query's result, or one batch of a cursor). */
typedef struct wr_db_result wr_db_result_t;

size_t wr_db_result_rows(const wr_db_result_t *result);
size_t wr_db_result_columns(const wr_db_result_t *result);
/** The column's name, or NULL when `column` is out of range. */
const char *wr_db_result_column_name(const wr_db_result_t *result, size_t column);
/** The column's PostgreSQL type name (e.g. "int8", "_text"), or NULL when out of range. */
const char *wr_db_result_column_type(const wr_db_result_t *result, size_t column);
/** The value at (row, column), or NULL when either is out of range. */
const wr_db_value_t *wr_db_result_value(const wr_db_result_t *result, size_t row, size_t column);
/** Frees the result and every value in it. NULL is ignored. */
void wr_db_result_free(wr_db_result_t *result);

/* ---- statements --------------------------------------------------------------------------- */

/** Runs a statement that returns rows ($1, $2 ... are `params`). NULL on error. */
wr_db_result_t *wr_db_query(const char *sql, const wr_db_value_t *params, size_t count,
                            wr_db_error_t *err);

/** Runs a statement; returns the number of rows it changed, or -1 on error. */
int64_t wr_db_execute(const char *sql, const wr_db_value_t *params, size_t count,
                      wr_db_error_t *err);

/* ---- cursors ------------------------------------------------------------------------------ */

typedef struct wr_db_cursor wr_db_cursor_t;

/** Runs a query whose rows are fetched in batches. NULL on error. */
wr_db_cursor_t *wr_db_query_stream(const char *sql, const wr_db_value_t *params, size_t count,
                                   wr_db_error_t *err);

/**
 * Up to `max_rows` (1 to 10000) more rows: a result with 0 rows at the end; NULL on error. The
 * batch is freed with wr_db_result_free and does not depend on the cursor.
 */
wr_db_result_t *wr_db_cursor_next(wr_db_cursor_t *cursor, uint32_t max_rows, wr_db_error_t *err);

/** Closes the cursor. NULL is ignored. */
void wr_db_cursor_free(wr_db_cursor_t *cursor);

/* ---- transactions ------------------------------------------------------------------------- */

typedef struct wr_db_tx wr_db_tx_t;

/** Begins a transaction. NULL on error. */
wr_db_tx_t *wr_db_begin(wr_db_error_t *err);

wr_db_result_t *wr_db_tx_query(wr_db_tx_t *tx, const char *sql, const wr_db_value_t *params,
                               size_t count, wr_db_error_t *err);
int64_t wr_db_tx_execute(wr_db_tx_t *tx, const char *sql, const wr_db_value_t *params,
                         size_t count, wr_db_error_t *err);
wr_db_cursor_t *wr_db_tx_query_stream(wr_db_tx_t *tx, const char *sql,
                                      const wr_db_value_t *params, size_t count,
                                      wr_db_error_t *err);

/** Commits and frees the transaction. Returns 0, or -1 on error (the transaction is freed too). */
int wr_db_tx_commit(wr_db_tx_t *tx, wr_db_error_t *err);

/** Rolls back and frees the transaction. Returns 0, or -1 on error (freed too). */
int wr_db_tx_rollback(wr_db_tx_t *tx, wr_db_error_t *err);

/** Frees the transaction; if it was neither committed nor rolled back, it is rolled back. */
void wr_db_tx_free(wr_db_tx_t *tx);

#ifdef __cplusplus
}
#endif

#endif
