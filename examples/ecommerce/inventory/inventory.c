/*
 * inventory: the stock of one warehouse (examples/ecommerce), in the module's own PostgreSQL schema
 * (tables stock and transfers, created by ../migrations). The RPCs of inventory.InventoryService
 * (../schemas/inventory.proto) are `POST /inventory.InventoryService/{Method}` with protobuf
 * bodies; errors are JSON {"error", "code"}.
 *
 * Which warehouse this is comes from the environment variable WAREHOUSE (the engine config's
 * `env`), the namespace this module is served in, so that Transfer can refuse a transfer to itself
 * and every answer names its warehouse.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wruntime.h>
#include <wruntime_db.h>

#include "../common/pb.h"
#include "../common/reply.h"

#define PREFIX "/inventory.InventoryService/"
#define PROTOBUF "application/protobuf"
#define BODY_MAX (64 * 1024)
#define OUT_MAX (128 * 1024)
#define QUANTITY_MAX 1000000
#define SEED_ITEMS_MAX 1000

static unsigned char body[BODY_MAX];
static unsigned char out[OUT_MAX];
static char warehouse[WAREHOUSE_MAX + 1];

/* ---- requests ----------------------------------------------------------------------------- */

/* The fields every stock-changing request has: sku = 1, quantity = 2 (and Transfer's to = 3). */
typedef struct sku_request {
  char sku[SKU_MAX + 1];
  int32_t quantity;
  char to[WAREHOUSE_MAX + 1];
} sku_request_t;

/*
 * Decodes sku (1), quantity (2) and, when with_to, to (3); returns NULL or why the body is
 * malformed. Other fields are skipped, as protobuf parsers skip unknown fields.
 */
static const char *decode_sku_request(const unsigned char *data, size_t len, int with_to,
                                      sku_request_t *req) {
  memset(req, 0, sizeof *req);
  pb_reader_t r = pb_reader(data, len);
  pb_field_t f;
  while (pb_next(&r, &f)) {
    if (f.number == 1) {
      if (f.wire != PB_LEN) return "field 1 (sku) is not a string";
      if (!copy_sku(f.data, f.len, req->sku)) {
        return "sku must be 1 to 64 characters of A-Z a-z 0-9 . _ -";
      }
    } else if (f.number == 2) {
      if (f.wire != PB_VARINT) return "field 2 (quantity) is not an int32";
      req->quantity = (int32_t)(uint32_t)f.varint;
    } else if (f.number == 3 && with_to) {
      if (f.wire != PB_LEN) return "field 3 (to) is not a string";
      if (!copy_warehouse(f.data, f.len, req->to)) {
        return "to must be a warehouse namespace: 1 to 24 characters of a-z 0-9 -, not starting"
               " or ending with -";
      }
    }
  }
  return r.error;
}

/* Checks what the RPC needs: a sku and a quantity 1..QUANTITY_MAX; answers 400 when not. */
static int require_sku_and_quantity(wr_response_t *response, const sku_request_t *req) {
  if (req->sku[0] == '\0') {
    reply_error(response, 400, "invalid_request", "sku is required");
    return 0;
  }
  if (req->quantity < 1 || req->quantity > QUANTITY_MAX) {
    reply_error(response, 400, "invalid_request", "quantity = %d (expected: 1 to %d)",
                req->quantity, QUANTITY_MAX);
    return 0;
  }
  return 1;
}

/* ---- responses ---------------------------------------------------------------------------- */

static void put_stock_level(pb_writer_t *w, const char *house, const char *sku, int32_t qty) {
  pb_put_string(w, 1, house);
  pb_put_string(w, 2, sku);
  pb_put_int32(w, 3, qty);
}

static void reply_stock_level(wr_response_t *response, const char *sku, int32_t quantity) {
  pb_writer_t w = pb_writer(out, sizeof out);
  put_stock_level(&w, warehouse, sku, quantity);
  reply_protobuf(response, out, w.len);
}

static void reply_db_error(wr_response_t *response, const char *what, const wr_db_error_t *err) {
  reply_error(response, 500, "database_error", "%s: %s: %s", what, wr_db_error_name(err->kind),
              err->message);
}

/* An integer column (int2, int4 or int8) as int64; 0 with *ok = 0 for anything else. */
static int64_t int_value(const wr_db_value_t *v, int *ok) {
  if (v != NULL) {
    switch (v->kind) {
      case WR_DB_INT2: return v->as.int2;
      case WR_DB_INT4: return v->as.int4;
      case WR_DB_INT8: return v->as.int8;
      default: break;
    }
  }
  *ok = 0;
  return 0;
}

/* ---- the RPCs ----------------------------------------------------------------------------- */

/*
 * Encodes a Stock into `out`: with `sku` that sku's row (404 unknown_sku when absent), without it
 * every row (the first 1000 by sku) and the total of all of them. Runs on `tx` when given (Seed
 * answers from its own transaction), else on its own. Returns its length, or 0 after answering an
 * error.
 */
static size_t encode_stock(wr_response_t *response, wr_db_tx_t *tx, const char *sku) {
  wr_db_error_t err;
  wr_db_value_t params[1];
  size_t count = 0;
  /*
   * The window sum is computed before LIMIT: the total covers every row, listed or not. 1000 items
   * of at most 64-byte skus fit in `out`.
   */
  const char *sql = "SELECT sku, quantity, sum(quantity) OVER () FROM stock ORDER BY sku LIMIT 1000";
  if (sku != NULL) {
    sql = "SELECT sku, quantity, quantity::bigint FROM stock WHERE sku = $1";
    params[count++] = wr_db_text(sku);
  }
  wr_db_result_t *rows = tx != NULL ? wr_db_tx_query(tx, sql, params, count, &err)
                                    : wr_db_query(sql, params, count, &err);
  if (rows == NULL) {
    reply_db_error(response, "reading the stock", &err);
    return 0;
  }
  if (sku != NULL && wr_db_result_rows(rows) == 0) {
    wr_db_result_free(rows);
    reply_error(response, 404, "unknown_sku", "unknown sku %s in %s", sku, warehouse);
    return 0;
  }
  pb_writer_t w = pb_writer(out, sizeof out);
  pb_put_string(&w, 1, warehouse);
  int ok = 1;
  int64_t total = 0;
  for (size_t i = 0; ok && i < wr_db_result_rows(rows); i++) {
    const wr_db_value_t *name = wr_db_result_value(rows, i, 0);
    int64_t quantity = int_value(wr_db_result_value(rows, i, 1), &ok);
    total = int_value(wr_db_result_value(rows, i, 2), &ok);
    if (!ok || name == NULL || name->kind != WR_DB_TEXT) {
      ok = 0;
      break;
    }
    size_t item = pb_begin(&w, 2);
    pb_put_bytes(&w, 1, name->as.bytes.ptr, name->as.bytes.len);
    pb_put_int32(&w, 2, (int32_t)quantity);
    pb_end(&w, item);
  }
  wr_db_result_free(rows);
  if (!ok) {
    reply_error(response, 500, "internal_error", "table stock has unexpected column types");
    return 0;
  }
  pb_put_int64(&w, 3, total);
  if (w.overflow) {
    reply_error(response, 500, "internal_error", "the stock does not fit in %d bytes", OUT_MAX);
    return 0;
  }
  /* A warehouse with an empty stock is an empty message but for its name: never 0 bytes. */
  return w.len;
}

static void reply_stock(wr_response_t *response, const char *sku) {
  size_t len = encode_stock(response, NULL, sku);
  if (len > 0) {
    reply_protobuf(response, out, len);
  }
}

static void get_stock(wr_response_t *response, const unsigned char *data, size_t len) {
  char sku[SKU_MAX + 1] = "";
  pb_reader_t r = pb_reader(data, len);
  pb_field_t f;
  while (pb_next(&r, &f)) {
    if (f.number == 1 && (f.wire != PB_LEN || !copy_sku(f.data, f.len, sku))) {
      reply_error(response, 400, "invalid_request",
                  "sku must be empty (every sku) or 1 to 64 characters of A-Z a-z 0-9 . _ -");
      return;
    }
  }
  if (r.error != NULL) {
    reply_error(response, 400, "invalid_request", "malformed inventory.GetStockRequest: %s",
                r.error);
    return;
  }
  reply_stock(response, sku[0] != '\0' ? sku : NULL);
}

static void seed(wr_response_t *response, const unsigned char *data, size_t len) {
  static struct {
    char sku[SKU_MAX + 1];
    int32_t quantity;
  } items[SEED_ITEMS_MAX];
  size_t count = 0;
  pb_reader_t r = pb_reader(data, len);
  pb_field_t f;
  while (pb_next(&r, &f)) {
    if (f.number != 1) continue;
    if (f.wire != PB_LEN) {
      reply_error(response, 400, "invalid_request", "field 1 (items) is not a message");
      return;
    }
    if (count == SEED_ITEMS_MAX) {
      reply_error(response, 400, "invalid_request", "more than %d items", SEED_ITEMS_MAX);
      return;
    }
    sku_request_t item;
    const char *bad = decode_sku_request(f.data, f.len, 0, &item);
    if (bad != NULL) {
      reply_error(response, 400, "invalid_request", "items[%zu]: %s", count, bad);
      return;
    }
    if (item.sku[0] == '\0' || item.quantity < 0 || item.quantity > QUANTITY_MAX) {
      reply_error(response, 400, "invalid_request",
                  "items[%zu]: sku \"%s\", quantity %d (expected: a sku and 0 to %d)", count,
                  item.sku, item.quantity, QUANTITY_MAX);
      return;
    }
    for (size_t i = 0; i < count; i++) {
      if (strcmp(items[i].sku, item.sku) == 0) {
        reply_error(response, 400, "invalid_request", "sku %s is listed twice (items[%zu], [%zu])",
                    item.sku, i, count);
        return;
      }
    }
    memcpy(items[count].sku, item.sku, sizeof item.sku);
    items[count].quantity = item.quantity;
    count++;
  }
  if (r.error != NULL) {
    reply_error(response, 400, "invalid_request", "malformed inventory.SeedRequest: %s", r.error);
    return;
  }

  wr_db_error_t err;
  wr_db_tx_t *tx = wr_db_begin(&err);
  if (tx == NULL) {
    reply_db_error(response, "beginning the seed", &err);
    return;
  }
  if (wr_db_tx_execute(tx, "DELETE FROM stock", NULL, 0, &err) < 0) {
    wr_db_tx_free(tx);
    reply_db_error(response, "clearing the stock", &err);
    return;
  }
  for (size_t i = 0; i < count; i++) {
    wr_db_value_t params[] = {wr_db_text(items[i].sku), wr_db_int4(items[i].quantity)};
    if (wr_db_tx_execute(tx, "INSERT INTO stock (sku, quantity) VALUES ($1, $2)", params, 2,
                         &err) < 0) {
      wr_db_tx_free(tx);
      reply_db_error(response, "seeding the stock", &err);
      return;
    }
  }
  /* The answer is read inside the transaction, so it is exactly what was seeded. */
  size_t stock_len = encode_stock(response, tx, NULL);
  if (stock_len == 0) {
    wr_db_tx_free(tx);
    return;
  }
  if (wr_db_tx_commit(tx, &err) != 0) {
    reply_db_error(response, "committing the seed", &err);
    return;
  }
  reply_protobuf(response, out, stock_len);
}

/* 409 out_of_stock or 404 unknown_sku, after an UPDATE ... WHERE quantity >= $2 changed nothing. */
static void reply_not_enough(wr_response_t *response, const sku_request_t *req) {
  wr_db_error_t err;
  wr_db_value_t params[] = {wr_db_text(req->sku)};
  wr_db_result_t *rows = wr_db_query("SELECT quantity FROM stock WHERE sku = $1", params, 1, &err);
  if (rows == NULL) {
    reply_db_error(response, "reading the stock", &err);
    return;
  }
  int ok = 1;
  int64_t has = wr_db_result_rows(rows) == 0 ? -1 : int_value(wr_db_result_value(rows, 0, 0), &ok);
  wr_db_result_free(rows);
  if (has < 0) {
    reply_error(response, 404, "unknown_sku", "unknown sku %s in %s", req->sku, warehouse);
  } else {
    reply_error(response, 409, "out_of_stock", "out of stock: sku %s has %lld in %s, asked %d",
                req->sku, (long long)has, warehouse, req->quantity);
  }
}

/* Runs an UPDATE/INSERT ... RETURNING quantity; returns the quantity, or -1 with no row, -2 on error. */
static int64_t returning_quantity(const char *sql, const sku_request_t *req, wr_db_error_t *err) {
  wr_db_value_t params[] = {wr_db_text(req->sku), wr_db_int4(req->quantity)};
  wr_db_result_t *rows = wr_db_query(sql, params, 2, err);
  if (rows == NULL) {
    return -2;
  }
  int ok = 1;
  int64_t quantity =
      wr_db_result_rows(rows) == 0 ? -1 : int_value(wr_db_result_value(rows, 0, 0), &ok);
  wr_db_result_free(rows);
  if (!ok) {
    err->kind = WR_DB_E_QUERY;
    snprintf(err->message, sizeof err->message, "quantity is not an integer column");
    err->sqlstate[0] = '\0';
    return -2;
  }
  return quantity;
}

static void buy(wr_response_t *response, const sku_request_t *req) {
  wr_db_error_t err;
  /* One statement: the check and the decrement cannot be split by a concurrent buyer. */
  int64_t left = returning_quantity(
      "UPDATE stock SET quantity = quantity - $2 WHERE sku = $1 AND quantity >= $2"
      " RETURNING quantity",
      req, &err);
  if (left == -2) {
    reply_db_error(response, "buying", &err);
  } else if (left == -1) {
    reply_not_enough(response, req);
  } else {
    reply_stock_level(response, req->sku, (int32_t)left);
  }
}

static void give_back(wr_response_t *response, const sku_request_t *req) {
  wr_db_error_t err;
  int64_t now = returning_quantity(
      "UPDATE stock SET quantity = quantity + $2 WHERE sku = $1 RETURNING quantity", req, &err);
  if (now == -2) {
    reply_db_error(response, "returning", &err);
  } else if (now == -1) {
    reply_error(response, 404, "unknown_sku", "unknown sku %s in %s", req->sku, warehouse);
  } else {
    reply_stock_level(response, req->sku, (int32_t)now);
  }
}

static void restock(wr_response_t *response, const sku_request_t *req) {
  wr_db_error_t err;
  int64_t now = returning_quantity(
      "INSERT INTO stock (sku, quantity) VALUES ($1, $2) ON CONFLICT (sku)"
      " DO UPDATE SET quantity = stock.quantity + EXCLUDED.quantity RETURNING quantity",
      req, &err);
  if (now < 0) {
    reply_db_error(response, "restocking", &err);
  } else {
    reply_stock_level(response, req->sku, (int32_t)now);
  }
}

/*
 * Calls the receiving warehouse's Restock. Returns 1 and its StockLevel quantity in *received, or
 * 0 with why in `why`.
 */
static int call_restock(const sku_request_t *req, int32_t *received, char *why, size_t why_cap) {
  char url[128];
  snprintf(url, sizeof url, "http://%s.inventory/inventory.InventoryService/Restock", req->to);
  unsigned char request_body[SKU_MAX + 32];
  pb_writer_t w = pb_writer(request_body, sizeof request_body);
  pb_put_string(&w, 1, req->sku);
  pb_put_int32(&w, 2, req->quantity);

  wr_error_t err;
  wr_client_request_t *call = wr_client_request_new("POST", url, &err);
  if (call == NULL) {
    snprintf(why, why_cap, "calling %s: %s", url, err.message);
    return 0;
  }
  if (wr_client_request_header(call, "content-type", PROTOBUF, &err) != 0 ||
      wr_client_request_write(call, request_body, w.len, &err) != 0) {
    wr_client_request_abort(call);
    snprintf(why, why_cap, "calling %s: %s", url, err.message);
    return 0;
  }
  wr_client_response_t *reply = wr_client_request_finish(call, &err);
  if (reply == NULL) {
    snprintf(why, why_cap, "calling %s: %s", url, err.message);
    return 0;
  }
  static unsigned char answer[4096];
  long n = read_all_response(reply, answer, sizeof answer - 1, &err);
  int status = wr_client_response_status(reply);
  wr_client_response_free(reply);
  if (status != 200) {
    answer[n > 0 ? n : 0] = '\0';
    for (long i = 0; i < n; i++) {
      if (answer[i] == '\n') answer[i] = ' ';
    }
    snprintf(why, why_cap, "%s.inventory answered %d%s%.300s", req->to, status, n > 0 ? ": " : "",
             n > 0 ? (const char *)answer : "");
    return 0;
  }
  if (n < 0) {
    snprintf(why, why_cap, "reading the answer of %s.inventory failed", req->to);
    return 0;
  }
  pb_reader_t r = pb_reader(answer, (size_t)n);
  pb_field_t f;
  *received = 0;
  while (pb_next(&r, &f)) {
    if (f.number == 3 && f.wire == PB_VARINT) *received = (int32_t)(uint32_t)f.varint;
  }
  if (r.error != NULL) {
    snprintf(why, why_cap, "%s.inventory answered a malformed StockLevel: %s", req->to, r.error);
    return 0;
  }
  return 1;
}

/*
 * Transfer: (1) one transaction takes the units out of stock and records the transfer as pending;
 * (2) the receiving warehouse's Restock; (3) the transfer is marked done, or, when the Restock
 * failed, one transaction puts the units back and marks it compensated. Not atomic across the two
 * databases: see the README's "Consistency of Transfer".
 */
static void transfer(wr_response_t *response, const sku_request_t *req) {
  if (req->to[0] == '\0') {
    reply_error(response, 400, "invalid_request", "to is required (e.g. \"warehouse-b\")");
    return;
  }
  if (strcmp(req->to, warehouse) == 0) {
    reply_error(response, 400, "invalid_request",
                "to = \"%s\" is this warehouse (expected: another warehouse)", req->to);
    return;
  }
  wr_db_error_t err;
  wr_db_tx_t *tx = wr_db_begin(&err);
  if (tx == NULL) {
    reply_db_error(response, "beginning the transfer", &err);
    return;
  }
  wr_db_value_t params[] = {wr_db_text(req->sku), wr_db_int4(req->quantity), wr_db_text(req->to)};
  wr_db_result_t *rows =
      wr_db_tx_query(tx,
                     "UPDATE stock SET quantity = quantity - $2 WHERE sku = $1 AND quantity >= $2"
                     " RETURNING quantity",
                     params, 2, &err);
  if (rows == NULL) {
    wr_db_tx_free(tx);
    reply_db_error(response, "taking the units out", &err);
    return;
  }
  int ok = 1;
  int64_t left = wr_db_result_rows(rows) == 0 ? -1 : int_value(wr_db_result_value(rows, 0, 0), &ok);
  wr_db_result_free(rows);
  if (!ok) {
    wr_db_tx_free(tx);
    reply_error(response, 500, "internal_error", "stock.quantity is not an integer column");
    return;
  }
  if (left < 0) {
    wr_db_tx_free(tx);
    reply_not_enough(response, req);
    return;
  }
  rows = wr_db_tx_query(tx,
                        "INSERT INTO transfers (sku, quantity, to_warehouse) VALUES ($1, $2, $3)"
                        " RETURNING id",
                        params, 3, &err);
  if (rows == NULL) {
    wr_db_tx_free(tx);
    reply_db_error(response, "recording the transfer", &err);
    return;
  }
  int64_t id = int_value(wr_db_result_value(rows, 0, 0), &ok);
  wr_db_result_free(rows);
  if (!ok) {
    wr_db_tx_free(tx);
    reply_error(response, 500, "internal_error", "transfers.id is not an integer column");
    return;
  }
  if (wr_db_tx_commit(tx, &err) != 0) {
    reply_db_error(response, "committing the transfer", &err);
    return;
  }

  int32_t received = 0;
  char why[512];
  wr_db_value_t id_param[] = {wr_db_int8(id), wr_db_text("")};
  if (call_restock(req, &received, why, sizeof why)) {
    if (wr_db_execute("UPDATE transfers SET status = 'done' WHERE id = $1", id_param, 1, &err) < 0) {
      wr_log(WR_WARN, "transfer %lld is done but still recorded as pending: %s", (long long)id,
             err.message);
    }
    pb_writer_t w = pb_writer(out, sizeof out);
    pb_put_int64(&w, 1, id);
    size_t from = pb_begin(&w, 2);
    put_stock_level(&w, warehouse, req->sku, (int32_t)left);
    pb_end(&w, from);
    size_t to = pb_begin(&w, 3);
    put_stock_level(&w, req->to, req->sku, received);
    pb_end(&w, to);
    reply_protobuf(response, out, w.len);
    return;
  }

  /* The compensation: the units go back, in one transaction with the record saying so. */
  id_param[1] = wr_db_text(why);
  const char *failed = NULL;
  tx = wr_db_begin(&err);
  if (tx == NULL) {
    failed = err.message;
  } else {
    int64_t back =
        wr_db_tx_execute(tx, "UPDATE stock SET quantity = quantity + $2 WHERE sku = $1", params,
                         2, &err);
    if (back < 0) {
      failed = err.message;
    } else if (back == 0) {
      failed = "the sku is no longer in stock here (a Seed ran meanwhile)";
    } else if (wr_db_tx_execute(tx,
                                "UPDATE transfers SET status = 'compensated', detail = $2"
                                " WHERE id = $1",
                                id_param, 2, &err) < 0) {
      failed = err.message;
    }
    if (failed != NULL) {
      wr_db_tx_free(tx);
    } else if (wr_db_tx_commit(tx, &err) != 0) {
      failed = err.message;
    }
  }
  if (failed != NULL) {
    reply_error(response, 500, "transfer_failed",
                "transfer %lld of %d %s to %s failed: %s; putting the units back failed too: %s"
                " (transfer %lld stays pending)",
                (long long)id, req->quantity, req->sku, req->to, why, failed, (long long)id);
    return;
  }
  reply_error(response, 502, "transfer_failed",
              "transfer of %d %s to %s failed: %s; the units were put back: %s has %lld",
              req->quantity, req->sku, req->to, why, warehouse, (long long)(left + req->quantity));
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static int protobuf_body(wr_request_t *request) {
  char type[128];
  ssize_t n = wr_request_header(request, "content-type", type, sizeof type);
  if (n < 0) return 1;
  return strncmp(type, "application/protobuf", 20) == 0 ||
         strncmp(type, "application/x-protobuf", 22) == 0 ||
         strncmp(type, "application/octet-stream", 24) == 0;
}

void wr_handle(wr_request_t *request, wr_response_t *response) {
  if (warehouse[0] == '\0') {
    const char *env = getenv("WAREHOUSE");
    if (env == NULL || !copy_warehouse((const unsigned char *)env, strlen(env), warehouse)) {
      reply_error(response, 500, "misconfigured",
                  "the environment variable WAREHOUSE is %s (expected: this module's namespace,"
                  " e.g. warehouse-a, in the [[module]] entry's env)",
                  env == NULL ? "not set" : "not a namespace");
      return;
    }
  }
  const char *path = wr_request_path(request);
  if (strncmp(path, PREFIX, strlen(PREFIX)) != 0) {
    reply_error(response, 404, "not_found",
                "%s is not an RPC of inventory.InventoryService (expected: POST %s{Seed, Buy,"
                " Return, GetStock, Transfer, Restock})",
                path, PREFIX);
    return;
  }
  const char *method = path + strlen(PREFIX);
  if (strcmp(wr_request_method(request), "POST") != 0) {
    reply_error(response, 405, "method_not_allowed", "%s %s (expected: POST)",
                wr_request_method(request), path);
    return;
  }
  if (!protobuf_body(request)) {
    reply_error(response, 415, "unsupported_media_type",
                "the body must be protobuf (content-type application/protobuf); wr-cli invoke"
                " --body converts JSON with the schema");
    return;
  }
  wr_error_t err;
  long len = read_all_request(request, body, sizeof body, &err);
  if (len == -1) {
    reply_error(response, 413, "body_too_large", "the body is larger than %d bytes", BODY_MAX);
    return;
  }
  if (len < 0) {
    reply_error(response, 400, "invalid_request", "reading the body failed: %s", err.message);
    return;
  }

  if (strcmp(method, "GetStock") == 0) {
    get_stock(response, body, (size_t)len);
    return;
  }
  if (strcmp(method, "Seed") == 0) {
    seed(response, body, (size_t)len);
    return;
  }
  void (*rpc)(wr_response_t *, const sku_request_t *) = NULL;
  const char *input = NULL;
  if (strcmp(method, "Buy") == 0) {
    rpc = buy;
    input = "BuyRequest";
  } else if (strcmp(method, "Return") == 0) {
    rpc = give_back;
    input = "ReturnRequest";
  } else if (strcmp(method, "Restock") == 0) {
    rpc = restock;
    input = "RestockRequest";
  } else if (strcmp(method, "Transfer") == 0) {
    rpc = transfer;
    input = "TransferRequest";
  } else {
    reply_error(response, 404, "not_found",
                "inventory.InventoryService has no method %s (expected: Seed, Buy, Return,"
                " GetStock, Transfer, Restock)",
                method);
    return;
  }
  sku_request_t req;
  const char *bad = decode_sku_request(body, (size_t)len, rpc == transfer, &req);
  if (bad != NULL) {
    reply_error(response, 400, "invalid_request", "malformed inventory.%s: %s", input, bad);
    return;
  }
  if (require_sku_and_quantity(response, &req)) {
    rpc(response, &req);
  }
}
