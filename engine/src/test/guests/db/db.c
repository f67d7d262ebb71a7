/*
 * db: a test guest using wruntime:db through the C SDK (wruntime_db.h). Paths:
 *   GET /setup       creates the tables items (id int8, name text) and counter (n int4 = 0)
 *   GET /insert      inserts item 1 "widget" with parameters: "changed=1"
 *   GET /query       "<name>:<type>,..." then one line per item "<id>|<name>"
 *   GET /syntax      a statement PostgreSQL refuses: 502 "query: <message> sqlstate=<code>"
 *   GET /wrong-type  text where the statement expects int8: 400 "invalid-parameter: <message>"
 *   GET /tx-commit   inserts item 10 in a transaction and commits: "committed"
 *   GET /tx-rollback inserts item 11 in a transaction and rolls back: "rolled back"
 *   GET /tx-drop     inserts item 12 in a transaction and frees it without commit: "dropped"
 *   GET /tx-query    in a transaction: an execute, a query seeing it, and a cursor over it
 *   GET /cursor      25 rows fetched by 10: "batches=<n> rows=<n> sum=<n> columns=<name>:<type>"
 *   GET /tx-cursor   a cursor in a transaction, then next-batch after commit: "<kind>: <message>"
 *   GET /values      every value kind and every array kind (with NULL elements) as parameters,
 *                    selected back: one line per column "<type>=<value>"
 *   GET /counter     a transaction doing UPDATE counter SET n = n + 1: "ok"
 *   GET /tx-cap      begins transactions until one fails: 503 "<n> open; <kind>: <message>"
 *   GET /cursor-cap  opens cursors until one fails: 503 "<n> open; <kind>: <message>"
 *   GET /sleep       SELECT pg_sleep(5), longer than the test's statement timeout
 *   GET /infinity    SELECT 'infinity'::timestamptz, which no value kind holds
 *   GET /begin       BEGIN and an INSERT through execute, outside of a transaction:
 *                    "<kind>: <message>"
 *   GET /identity    inserts into a table with identity and serial columns, RETURNING them
 *   GET /peek        reads namespace test's items by schema-qualified name: "<rows>" or the error
 *   GET /settings    "<search_path>|<statement_timeout>|<idle_in_transaction_session_timeout>"
 *   GET /migrated    the rows of the table the test's migrations created: "<name>,..."
 * Any other failure answers 502 "<kind>: <message>".
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <wruntime.h>
#include <wruntime_db.h>

static char body[16384];
static size_t at;

static void out(const char *format, ...) __attribute__((format(printf, 1, 2)));

#include <stdarg.h>
static void out(const char *format, ...) {
  if (at >= sizeof body) {
    return;
  }
  va_list args;
  va_start(args, format);
  int n = vsnprintf(body + at, sizeof body - at, format, args);
  va_end(args);
  if (n > 0) {
    at += (size_t)n;
  }
}

static void respond(wr_response_t *response, int status) {
  if (at > sizeof body - 1) {
    at = sizeof body - 1;
  }
  wr_respond(response, status, "text/plain; charset=utf-8", body, at, NULL);
}

static void failed(wr_response_t *response, const wr_db_error_t *err) {
  at = 0;
  out("%s: %s", wr_db_error_name(err->kind), err->message);
  if (err->kind == WR_DB_E_QUERY) {
    out(" sqlstate=%s", err->sqlstate);
  }
  respond(response, err->kind == WR_DB_E_INVALID_PARAMETER ? 400 : 502);
}

static void print_scalar(const wr_db_value_t *v) {
  switch (v->kind) {
    case WR_DB_NULL:
      out("NULL");
      break;
    case WR_DB_BOOL:
      out("%s", v->as.boolean ? "true" : "false");
      break;
    case WR_DB_INT2:
      out("%d", v->as.int2);
      break;
    case WR_DB_INT4:
      out("%" PRId32, v->as.int4);
      break;
    case WR_DB_INT8:
    case WR_DB_TIMESTAMPTZ:
    case WR_DB_TIMESTAMP:
    case WR_DB_TIME:
      out("%" PRId64, v->as.int8);
      break;
    case WR_DB_FLOAT4:
      out("%g", (double)v->as.float4);
      break;
    case WR_DB_FLOAT8:
      out("%.17g", v->as.float8);
      break;
    case WR_DB_DATE:
      out("%" PRId32, v->as.date);
      break;
    case WR_DB_INTERVAL:
      out("%" PRId32 "m%" PRId32 "d%" PRId64 "us", v->as.interval.months, v->as.interval.days,
          v->as.interval.microseconds);
      break;
    case WR_DB_OID:
      out("%" PRIu32, v->as.oid);
      break;
    case WR_DB_BYTEA:
      out("\\x");
      for (size_t i = 0; i < v->as.bytes.len; i++) {
        out("%02x", (unsigned char)v->as.bytes.ptr[i]);
      }
      break;
    default: /* text, numeric, uuid, jsonb */
      out("%.*s", (int)v->as.bytes.len, v->as.bytes.ptr);
      break;
  }
}

static void print_value(const wr_db_value_t *v) {
  if (v->kind != WR_DB_ARRAY) {
    print_scalar(v);
    return;
  }
  out("{");
  for (size_t i = 0; i < v->as.array->count; i++) {
    out(i > 0 ? "," : "");
    print_scalar(&v->as.array->elements[i]);
  }
  out("}");
}

static void print_result(const wr_db_result_t *r) {
  for (size_t c = 0; c < wr_db_result_columns(r); c++) {
    out("%s%s:%s", c > 0 ? "," : "", wr_db_result_column_name(r, c),
        wr_db_result_column_type(r, c));
  }
  out("\n");
  for (size_t row = 0; row < wr_db_result_rows(r); row++) {
    for (size_t c = 0; c < wr_db_result_columns(r); c++) {
      out(c > 0 ? "|" : "");
      print_value(wr_db_result_value(r, row, c));
    }
    out("\n");
  }
}

static const char *INSERT = "INSERT INTO items (id, name) VALUES ($1, $2)";

/* Inserts `id` in a new transaction and ends it by `how`: 0 commit, 1 rollback, 2 free. */
static void tx_insert(wr_response_t *response, int64_t id, int how) {
  wr_db_error_t err;
  wr_db_tx_t *tx = wr_db_begin(&err);
  if (tx == NULL) {
    failed(response, &err);
    return;
  }
  wr_db_value_t params[] = {wr_db_int8(id), wr_db_text("in a transaction")};
  if (wr_db_tx_execute(tx, INSERT, params, 2, &err) < 0) {
    wr_db_tx_free(tx);
    failed(response, &err);
    return;
  }
  if (how == 0 && wr_db_tx_commit(tx, &err) != 0) {
    failed(response, &err);
    return;
  }
  if (how == 1 && wr_db_tx_rollback(tx, &err) != 0) {
    failed(response, &err);
    return;
  }
  if (how == 2) {
    wr_db_tx_free(tx);
  }
  out(how == 0 ? "committed" : how == 1 ? "rolled back" : "dropped");
  respond(response, 200);
}

/* Fetches every row of `cursor` by 10; -1 on error. */
static int drain(wr_db_cursor_t *cursor, int *batches, int *rows, int64_t *sum,
                 wr_db_error_t *err) {
  for (;;) {
    wr_db_result_t *batch = wr_db_cursor_next(cursor, 10, err);
    if (batch == NULL) {
      return -1;
    }
    size_t n = wr_db_result_rows(batch);
    for (size_t r = 0; r < n; r++) {
      const wr_db_value_t *v = wr_db_result_value(batch, r, 0);
      *sum += v->kind == WR_DB_INT4 ? v->as.int4 : v->as.int8;
    }
    wr_db_result_free(batch);
    if (n == 0) {
      return 0;
    }
    (*batches)++;
    *rows += (int)n;
  }
}

static void cursor(wr_response_t *response) {
  wr_db_error_t err;
  wr_db_cursor_t *c = wr_db_query_stream("SELECT g FROM generate_series(1, 25) g", NULL, 0, &err);
  if (c == NULL) {
    failed(response, &err);
    return;
  }
  int batches = 0, rows = 0;
  int64_t sum = 0;
  if (drain(c, &batches, &rows, &sum, &err) != 0) {
    wr_db_cursor_free(c);
    failed(response, &err);
    return;
  }
  out("batches=%d rows=%d sum=%" PRId64, batches, rows, sum);
  wr_db_result_t *first = wr_db_cursor_next(c, 1, &err); /* at the end: no rows */
  if (first != NULL) {
    out(" columns=");
    print_result(first); /* the column line only */
    wr_db_result_free(first);
  }
  wr_db_cursor_free(c);
  respond(response, 200);
}

static void tx_query(wr_response_t *response) {
  wr_db_error_t err;
  wr_db_tx_t *tx = wr_db_begin(&err);
  if (tx == NULL) {
    failed(response, &err);
    return;
  }
  wr_db_value_t params[] = {wr_db_int8(20), wr_db_text("seen")};
  int64_t changed = wr_db_tx_execute(tx, INSERT, params, 2, &err);
  wr_db_value_t id[] = {wr_db_int8(20)};
  wr_db_result_t *r =
      changed < 0 ? NULL : wr_db_tx_query(tx, "SELECT name FROM items WHERE id = $1", id, 1, &err);
  wr_db_cursor_t *c =
      r == NULL ? NULL : wr_db_tx_query_stream(tx, "SELECT id FROM items WHERE id = $1", id, 1, &err);
  int batches = 0, rows = 0;
  int64_t sum = 0;
  if (c == NULL || drain(c, &batches, &rows, &sum, &err) != 0) {
    wr_db_result_free(r);
    wr_db_cursor_free(c);
    wr_db_tx_free(tx);
    failed(response, &err);
    return;
  }
  out("changed=%" PRId64 " ", changed);
  print_result(r);
  out("cursor rows=%d sum=%" PRId64 "\n", rows, sum);
  wr_db_result_free(r);
  wr_db_cursor_free(c);
  if (wr_db_tx_rollback(tx, &err) != 0) {
    failed(response, &err);
    return;
  }
  respond(response, 200);
}

static void tx_cursor(wr_response_t *response) {
  wr_db_error_t err;
  wr_db_tx_t *tx = wr_db_begin(&err);
  if (tx == NULL) {
    failed(response, &err);
    return;
  }
  wr_db_cursor_t *c =
      wr_db_tx_query_stream(tx, "SELECT g FROM generate_series(1, 100) g", NULL, 0, &err);
  if (c == NULL) {
    wr_db_tx_free(tx);
    failed(response, &err);
    return;
  }
  wr_db_result_t *batch = wr_db_cursor_next(c, 10, &err);
  out("first batch=%zu\n", wr_db_result_rows(batch));
  wr_db_result_free(batch);
  if (wr_db_tx_commit(tx, &err) != 0) {
    wr_db_cursor_free(c);
    failed(response, &err);
    return;
  }
  batch = wr_db_cursor_next(c, 10, &err);
  if (batch != NULL) {
    out("after commit: %zu rows", wr_db_result_rows(batch));
    wr_db_result_free(batch);
  } else {
    out("after commit: %s: %s", wr_db_error_name(err.kind), err.message);
  }
  wr_db_cursor_free(c);
  respond(response, 200);
}

static void values(wr_response_t *response) {
  static const unsigned char bytes[] = {0x00, 0x01, 0xfe, 0xff};
  wr_db_value_t interval = {.kind = WR_DB_INTERVAL,
                            .as.interval = {.months = 14, .days = 3, .microseconds = 4000005}};
  wr_db_value_t ts = {.kind = WR_DB_TIMESTAMP, .as.int8 = 1700000000123456};
  wr_db_value_t time = {.kind = WR_DB_TIME, .as.int8 = 45296000007};
  wr_db_value_t oid = {.kind = WR_DB_OID, .as.oid = 4000000000u};

  wr_db_value_t bools[] = {wr_db_bool(1), wr_db_null(), wr_db_bool(0)};
  wr_db_value_t int2s[] = {wr_db_int2(-7), wr_db_null()};
  wr_db_value_t int4s[] = {wr_db_int4(1), wr_db_null(), wr_db_int4(-3)};
  wr_db_value_t int8s[] = {wr_db_null(), wr_db_int8(9007199254740993)};
  wr_db_value_t float4s[] = {wr_db_float4(1.5f), wr_db_null()};
  wr_db_value_t float8s[] = {wr_db_float8(-0.25), wr_db_null()};
  wr_db_value_t texts[] = {wr_db_text("a,b"), wr_db_null(), wr_db_text("\"q\"")};
  wr_db_value_t byteas[] = {wr_db_bytea(bytes, 2), wr_db_null()};
  wr_db_value_t tstzs[] = {wr_db_timestamptz(1700000000123456), wr_db_null()};
  wr_db_value_t tss[] = {ts, wr_db_null()};
  wr_db_value_t dates[] = {wr_db_date(19000), wr_db_null()};
  wr_db_value_t times[] = {time, wr_db_null()};
  wr_db_value_t numerics[] = {wr_db_numeric("12.50"), wr_db_null()};
  wr_db_value_t uuids[] = {wr_db_uuid("123e4567-e89b-12d3-a456-426614174000"), wr_db_null()};
  wr_db_value_t jsons[] = {wr_db_jsonb("{\"a\": 1}"), wr_db_null()};
#define ARR(k, e) {.element_kind = k, .elements = e, .count = sizeof e / sizeof e[0]}
  wr_db_array_t arrays[] = {
      ARR(WR_DB_BOOL, bools),         ARR(WR_DB_INT2, int2s),     ARR(WR_DB_INT4, int4s),
      ARR(WR_DB_INT8, int8s),         ARR(WR_DB_FLOAT4, float4s), ARR(WR_DB_FLOAT8, float8s),
      ARR(WR_DB_TEXT, texts),         ARR(WR_DB_BYTEA, byteas),   ARR(WR_DB_TIMESTAMPTZ, tstzs),
      ARR(WR_DB_TIMESTAMP, tss),      ARR(WR_DB_DATE, dates),     ARR(WR_DB_TIME, times),
      ARR(WR_DB_NUMERIC, numerics),   ARR(WR_DB_UUID, uuids),     ARR(WR_DB_JSONB, jsons),
  };
  wr_db_value_t params[] = {
      wr_db_null(),
      wr_db_bool(1),
      wr_db_int2(-32768),
      wr_db_int4(2147483647),
      wr_db_int8(-9223372036854775807 - 1),
      wr_db_float4(3.25f),
      wr_db_float8(2.718281828459045),
      wr_db_text("héllo, wörld"),
      wr_db_bytea(bytes, sizeof bytes),
      wr_db_timestamptz(1700000000123456),
      ts,
      wr_db_date(-1),
      time,
      interval,
      wr_db_numeric("-123456789012345678901234567890.000000001"),
      wr_db_uuid("123e4567-e89b-12d3-a456-426614174000"),
      wr_db_jsonb("{\"k\": [1, null, \"v\"]}"),
      oid,
      wr_db_int2(5), /* into an int8 parameter: widened */
      wr_db_array(&arrays[0]),
      wr_db_array(&arrays[1]),
      wr_db_array(&arrays[2]),
      wr_db_array(&arrays[3]),
      wr_db_array(&arrays[4]),
      wr_db_array(&arrays[5]),
      wr_db_array(&arrays[6]),
      wr_db_array(&arrays[7]),
      wr_db_array(&arrays[8]),
      wr_db_array(&arrays[9]),
      wr_db_array(&arrays[10]),
      wr_db_array(&arrays[11]),
      wr_db_array(&arrays[12]),
      wr_db_array(&arrays[13]),
      wr_db_array(&arrays[14]),
  };
  const char *sql =
      "SELECT $1::int4 AS n, $2::bool AS b, $3::int2 AS i2, $4::int4 AS i4, $5::int8 AS i8,"
      " $6::float4 AS f4, $7::float8 AS f8, $8::text AS t, $9::bytea AS by,"
      " $10::timestamptz AS tz, $11::timestamp AS ts, $12::date AS d, $13::time AS tm,"
      " $14::interval AS iv, $15::numeric AS nu, $16::uuid AS u, $17::jsonb AS j, $18::oid AS o,"
      " $19::int8 AS w, $20::bool[] AS ab, $21::int2[] AS ai2, $22::int4[] AS ai4,"
      " $23::int8[] AS ai8, $24::float4[] AS af4, $25::float8[] AS af8, $26::text[] AS at,"
      " $27::bytea[] AS aby, $28::timestamptz[] AS atz, $29::timestamp[] AS ats,"
      " $30::date[] AS ad, $31::time[] AS atm, $32::numeric[] AS anu, $33::uuid[] AS au,"
      " $34::jsonb[] AS aj, ($10::timestamptz AT TIME ZONE 'UTC')::text AS tz_text,"
      " $11::timestamp::text AS ts_text, $12::date::text AS d_text, $13::time::text AS tm_text,"
      " $14::interval::text AS iv_text";
  wr_db_error_t err;
  wr_db_result_t *r = wr_db_query(sql, params, sizeof params / sizeof params[0], &err);
  if (r == NULL) {
    failed(response, &err);
    return;
  }
  for (size_t c = 0; c < wr_db_result_columns(r); c++) {
    out("%s:%s=", wr_db_result_column_name(r, c), wr_db_result_column_type(r, c));
    print_value(wr_db_result_value(r, 0, c));
    out(" kind=%d\n", (int)wr_db_result_value(r, 0, c)->kind);
  }
  wr_db_result_free(r);
  respond(response, 200);
}

static void cap(wr_response_t *response, int cursors) {
  wr_db_error_t err;
  for (int i = 0; i < 1000; i++) {
    void *opened = cursors ? (void *)wr_db_query_stream("SELECT 1", NULL, 0, &err)
                           : (void *)wr_db_begin(&err);
    if (opened == NULL) {
      out("%d open; %s: %s", i, wr_db_error_name(err.kind), err.message);
      respond(response, 503);
      return; /* the engine ends what is still open when the request ends */
    }
  }
  out("no limit");
  respond(response, 200);
}

void wr_handle(wr_request_t *request, wr_response_t *response) {
  const char *path = wr_request_path(request);
  wr_db_error_t err;
  at = 0;
  if (strcmp(path, "/setup") == 0) {
    if (wr_db_execute("CREATE TABLE IF NOT EXISTS items (id int8 PRIMARY KEY, name text NOT NULL);"
                      " CREATE TABLE IF NOT EXISTS counter (n int4 NOT NULL);"
                      " INSERT INTO counter SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM counter)",
                      NULL, 0, &err) < 0) {
      failed(response, &err);
      return;
    }
    out("ready");
    respond(response, 200);
  } else if (strcmp(path, "/insert") == 0) {
    wr_db_value_t params[] = {wr_db_int8(1), wr_db_text("widget")};
    int64_t changed = wr_db_execute(INSERT, params, 2, &err);
    if (changed < 0) {
      failed(response, &err);
      return;
    }
    out("changed=%" PRId64, changed);
    respond(response, 200);
  } else if (strcmp(path, "/query") == 0) {
    wr_db_result_t *r = wr_db_query("SELECT id, name FROM items ORDER BY id", NULL, 0, &err);
    if (r == NULL) {
      failed(response, &err);
      return;
    }
    print_result(r);
    wr_db_result_free(r);
    respond(response, 200);
  } else if (strcmp(path, "/syntax") == 0) {
    if (wr_db_query("SELEC id FROM items", NULL, 0, &err) == NULL) {
      failed(response, &err);
      return;
    }
    out("no error");
    respond(response, 200);
  } else if (strcmp(path, "/wrong-type") == 0) {
    wr_db_value_t params[] = {wr_db_text("seven"), wr_db_text("widget")};
    if (wr_db_execute(INSERT, params, 2, &err) < 0) {
      failed(response, &err);
      return;
    }
    out("no error");
    respond(response, 200);
  } else if (strcmp(path, "/tx-commit") == 0) {
    tx_insert(response, 10, 0);
  } else if (strcmp(path, "/tx-rollback") == 0) {
    tx_insert(response, 11, 1);
  } else if (strcmp(path, "/tx-drop") == 0) {
    tx_insert(response, 12, 2);
  } else if (strcmp(path, "/tx-query") == 0) {
    tx_query(response);
  } else if (strcmp(path, "/cursor") == 0) {
    cursor(response);
  } else if (strcmp(path, "/tx-cursor") == 0) {
    tx_cursor(response);
  } else if (strcmp(path, "/values") == 0) {
    values(response);
  } else if (strcmp(path, "/counter") == 0) {
    wr_db_tx_t *tx = wr_db_begin(&err);
    if (tx == NULL) {
      failed(response, &err);
      return;
    }
    if (wr_db_tx_execute(tx, "UPDATE counter SET n = n + 1", NULL, 0, &err) < 0) {
      wr_db_tx_free(tx);
      failed(response, &err);
      return;
    }
    if (wr_db_tx_commit(tx, &err) != 0) {
      failed(response, &err);
      return;
    }
    out("ok");
    respond(response, 200);
  } else if (strcmp(path, "/sleep") == 0) {
    if (wr_db_query("SELECT pg_sleep(5)", NULL, 0, &err) == NULL) {
      failed(response, &err);
      return;
    }
    out("slept");
    respond(response, 200);
  } else if (strcmp(path, "/sleep-unbounded") == 0) {
    /* The module lifts its own session's statement_timeout: the host's bound still holds. */
    if (wr_db_query("SET statement_timeout = 0; SELECT pg_sleep(6)", NULL, 0, &err) == NULL) {
      failed(response, &err);
      return;
    }
    out("slept");
    respond(response, 200);
  } else if (strcmp(path, "/infinity") == 0) {
    if (wr_db_query("SELECT 'infinity'::timestamptz", NULL, 0, &err) == NULL) {
      failed(response, &err);
      return;
    }
    out("no error");
    respond(response, 200);
  } else if (strcmp(path, "/begin") == 0) {
    if (wr_db_execute("BEGIN; INSERT INTO items (id, name) VALUES (30, 'stray')", NULL, 0, &err) >=
        0) {
      out("no error");
      respond(response, 200);
      return;
    }
    failed(response, &err);
  } else if (strcmp(path, "/identity") == 0) {
    wr_db_result_t *r = wr_db_query(
        "CREATE TABLE IF NOT EXISTS ids (id bigint GENERATED ALWAYS AS IDENTITY, n serial,"
        " s smallserial, label text); INSERT INTO ids (label) VALUES ('x') RETURNING id, n, s",
        NULL, 0, &err);
    if (r == NULL) {
      failed(response, &err);
      return;
    }
    print_result(r);
    wr_db_result_free(r);
    respond(response, 200);
  } else if (strcmp(path, "/peek") == 0) {
    wr_db_result_t *r = wr_db_query("SELECT name FROM wr__test__db.items", NULL, 0, &err);
    if (r == NULL) {
      failed(response, &err);
      return;
    }
    out("%zu rows", wr_db_result_rows(r));
    wr_db_result_free(r);
    respond(response, 200);
  } else if (strcmp(path, "/settings") == 0) {
    wr_db_result_t *r = wr_db_query(
        "SELECT current_setting('search_path'), current_setting('statement_timeout'),"
        " current_setting('idle_in_transaction_session_timeout')",
        NULL, 0, &err);
    if (r == NULL) {
      failed(response, &err);
      return;
    }
    for (size_t c = 0; c < wr_db_result_columns(r); c++) {
      out(c > 0 ? "|" : "");
      print_value(wr_db_result_value(r, 0, c));
    }
    wr_db_result_free(r);
    respond(response, 200);
  } else if (strcmp(path, "/migrated") == 0) {
    wr_db_result_t *r = wr_db_query("SELECT name FROM migrated ORDER BY name", NULL, 0, &err);
    if (r == NULL) {
      failed(response, &err);
      return;
    }
    for (size_t i = 0; i < wr_db_result_rows(r); i++) {
      out(i > 0 ? "," : "");
      print_value(wr_db_result_value(r, i, 0));
    }
    wr_db_result_free(r);
    respond(response, 200);
  } else if (strcmp(path, "/tx-cap") == 0) {
    cap(response, 0);
  } else if (strcmp(path, "/cursor-cap") == 0) {
    cap(response, 1);
  } else {
    out("unknown path");
    respond(response, 404);
  }
}
