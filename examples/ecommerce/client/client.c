/*
 * client: drives the two warehouses of examples/ecommerce through a fixed scenario and reports what
 * happened. `POST /client.ClientService/Run` answers a client.RunReport (../schemas/client.proto);
 * any other request (e.g. `GET /run`) answers the same report as text.
 *
 * The scenario (every call goes through the proxy to warehouse-a.inventory or warehouse-b.inventory):
 * seed both warehouses, buy widgets one at a time from warehouse-a until it answers 409 out of
 * stock, a customer returns one, warehouse-b transfers two widgets to warehouse-a, a transfer to a
 * warehouse that does not exist fails and is compensated, three more widgets are bought; then the
 * units left must equal those seeded minus those bought plus those returned.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <wruntime.h>

#include "../common/pb.h"
#include "../common/reply.h"

#define A "warehouse-a"
#define B "warehouse-b"
#define NOWHERE "warehouse-z"
#define PROTOBUF "application/protobuf"
#define RUN_PATH "/client.ClientService/Run"
#define ANSWER_MAX (128 * 1024)
#define LINES_MAX 32
#define LINE_MAX 512
#define BUYS_MAX 1000

static char lines[LINES_MAX][LINE_MAX];
static size_t line_count;
static char failure[LINE_MAX];
static unsigned char answer[ANSWER_MAX];

static void line(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void line(const char *format, ...) {
  if (line_count == LINES_MAX) return;
  va_list args;
  va_start(args, format);
  vsnprintf(lines[line_count++], LINE_MAX, format, args);
  va_end(args);
}

static int fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(failure, sizeof failure, format, args);
  va_end(args);
  return 0;
}

/* ---- calls -------------------------------------------------------------------------------- */

typedef struct call_result {
  int status;
  size_t len; /* of the answer, in `answer` */
} call_result_t;

/*
 * POSTs `request` to warehouse's inventory.InventoryService/method. Returns 1 with the status and
 * the answer (in `answer`), or 0 when no answer came (then `failure` says why).
 */
static int call(const char *house, const char *method, const pb_writer_t *request,
                call_result_t *result) {
  char url[160];
  snprintf(url, sizeof url, "http://%s.inventory/inventory.InventoryService/%s", house, method);
  wr_error_t err;
  wr_client_request_t *req = wr_client_request_new("POST", url, &err);
  if (req == NULL) return fail("%s: %s", url, err.message);
  if (wr_client_request_header(req, "content-type", PROTOBUF, &err) != 0 ||
      (request->len > 0 && wr_client_request_write(req, request->buf, request->len, &err) != 0)) {
    wr_client_request_abort(req);
    return fail("%s: %s", url, err.message);
  }
  wr_client_response_t *reply = wr_client_request_finish(req, &err);
  if (reply == NULL) return fail("%s: %s", url, err.message);
  long n = read_all_response(reply, answer, sizeof answer - 1, &err);
  result->status = wr_client_response_status(reply);
  wr_client_response_free(reply);
  if (n < 0) {
    return fail("%s answered %d, but reading the body failed: %s", url, result->status,
                n == -1 ? "larger than 128 KiB" : err.message);
  }
  result->len = (size_t)n;
  answer[n] = '\0';
  return 1;
}

/* The "error" of a JSON error answer (as the inventory writes them), or the body as it is. */
static const char *error_text(const call_result_t *result) {
  static char text[LINE_MAX];
  const char *start = strstr((const char *)answer, "\"error\": \"");
  if (start == NULL) {
    snprintf(text, sizeof text, "%.*s", (int)result->len, (const char *)answer);
    return text;
  }
  size_t at = 0;
  for (const char *p = start + 10; *p != '\0' && *p != '"' && at < sizeof text - 1; p++) {
    if (*p == '\\' && p[1] != '\0') p++;
    text[at++] = *p;
  }
  text[at] = '\0';
  return text;
}

/* Fails unless the call answered `expected`. */
static int expect(const call_result_t *result, int expected, const char *what) {
  if (result->status == expected) return 1;
  return fail("%s: answered %d (expected %d): %s", what, result->status, expected,
              error_text(result));
}

/* ---- answers ------------------------------------------------------------------------------ */

typedef struct stock_level {
  char sku[SKU_MAX + 1];
  int32_t quantity;
} stock_level_t;

/* A StockLevel's sku (2) and quantity (3). */
static int decode_level(const unsigned char *data, size_t len, stock_level_t *level) {
  memset(level, 0, sizeof *level);
  pb_reader_t r = pb_reader(data, len);
  pb_field_t f;
  while (pb_next(&r, &f)) {
    if (f.number == 2 && f.wire == PB_LEN && f.len <= SKU_MAX) {
      memcpy(level->sku, f.data, f.len);
      level->sku[f.len] = '\0';
    } else if (f.number == 3 && f.wire == PB_VARINT) {
      level->quantity = (int32_t)(uint32_t)f.varint;
    }
  }
  return r.error == NULL ? 1 : fail("malformed inventory.StockLevel: %s", r.error);
}

/*
 * A Stock: its total, and its items as text "gadget 3, widget 5" in `items` (cap bytes). Returns
 * 1, or 0 when malformed.
 */
static int decode_stock(const unsigned char *data, size_t len, int64_t *total, char *items,
                        size_t cap) {
  size_t at = 0;
  items[0] = '\0';
  *total = 0;
  pb_reader_t r = pb_reader(data, len);
  pb_field_t f;
  while (pb_next(&r, &f)) {
    if (f.number == 3 && f.wire == PB_VARINT) {
      *total = (int64_t)f.varint;
    } else if (f.number == 2 && f.wire == PB_LEN) {
      pb_reader_t item = pb_reader(f.data, f.len);
      pb_field_t g;
      const unsigned char *sku = NULL;
      size_t sku_len = 0;
      int32_t quantity = 0;
      while (pb_next(&item, &g)) {
        if (g.number == 1 && g.wire == PB_LEN) {
          sku = g.data;
          sku_len = g.len;
        } else if (g.number == 2 && g.wire == PB_VARINT) {
          quantity = (int32_t)(uint32_t)g.varint;
        }
      }
      if (item.error != NULL) return fail("malformed inventory.Item: %s", item.error);
      int n = snprintf(items + at, cap - at, "%s%.*s %d", at > 0 ? ", " : "",
                       (int)(sku_len > SKU_MAX ? SKU_MAX : sku_len), sku != NULL ? (const char *)sku : "",
                       quantity);
      at = n > 0 && (size_t)n < cap - at ? at + (size_t)n : at;
    }
  }
  return r.error == NULL ? 1 : fail("malformed inventory.Stock: %s", r.error);
}

/* ---- the steps ---------------------------------------------------------------------------- */

typedef struct item {
  const char *sku;
  int32_t quantity;
} item_t;

static int seed(const char *house, const item_t *items, size_t count, int64_t *total) {
  unsigned char buf[512];
  pb_writer_t w = pb_writer(buf, sizeof buf);
  for (size_t i = 0; i < count; i++) {
    size_t at = pb_begin(&w, 1);
    pb_put_string(&w, 1, items[i].sku);
    pb_put_int32(&w, 2, items[i].quantity);
    pb_end(&w, at);
  }
  call_result_t result;
  char what[64], listed[LINE_MAX / 2];
  snprintf(what, sizeof what, "Seed of %s", house);
  if (!call(house, "Seed", &w, &result) || !expect(&result, 200, what) ||
      !decode_stock(answer, result.len, total, listed, sizeof listed)) {
    return 0;
  }
  line("seeded %s: %s (total %lld)", house, listed, (long long)*total);
  return 1;
}

static int stock_total(const char *house, int64_t *total) {
  pb_writer_t w = pb_writer(NULL, 0);
  call_result_t result;
  char listed[LINE_MAX / 2];
  return call(house, "GetStock", &w, &result) && expect(&result, 200, "GetStock") &&
         decode_stock(answer, result.len, total, listed, sizeof listed);
}

static int sku_call(const char *house, const char *method, const char *sku, int32_t quantity,
                    const char *to, call_result_t *result) {
  unsigned char buf[128];
  pb_writer_t w = pb_writer(buf, sizeof buf);
  pb_put_string(&w, 1, sku);
  pb_put_int32(&w, 2, quantity);
  if (to != NULL) pb_put_string(&w, 3, to);
  return call(house, method, &w, result);
}

typedef struct report {
  int64_t total_before;
  int64_t total_after;
  int64_t bought;
  int64_t returned;
} report_t;

static int run(report_t *report) {
  static const item_t a_items[] = {{"widget", 5}, {"gadget", 3}};
  static const item_t b_items[] = {{"widget", 2}, {"gadget", 10}};
  int64_t a_total, b_total;
  if (!seed(A, a_items, 2, &a_total) || !seed(B, b_items, 2, &b_total)) return 0;
  report->total_before = a_total + b_total;
  line("total before: %lld", (long long)report->total_before);

  call_result_t result;
  stock_level_t level;
  int32_t buys = 0;
  for (;;) {
    if (!sku_call(A, "Buy", "widget", 1, NULL, &result)) return 0;
    if (result.status != 200 || buys == BUYS_MAX) break;
    buys++;
  }
  if (!expect(&result, 409, "Buy after the last widget")) return 0;
  report->bought += buys;
  line("bought %d widget from %s, one at a time; the next Buy: %d %s", buys, A, result.status,
       error_text(&result));

  if (!sku_call(A, "Return", "widget", 1, NULL, &result) ||
      !expect(&result, 200, "Return") || !decode_level(answer, result.len, &level)) {
    return 0;
  }
  report->returned += 1;
  line("a customer returned 1 widget to %s: it has %d", A, level.quantity);

  if (!sku_call(B, "Transfer", "widget", 2, A, &result) || !expect(&result, 200, "Transfer")) {
    return 0;
  }
  stock_level_t from, to;
  pb_reader_t r = pb_reader(answer, result.len);
  pb_field_t f;
  memset(&from, 0, sizeof from);
  memset(&to, 0, sizeof to);
  while (pb_next(&r, &f)) {
    if (f.number == 2 && f.wire == PB_LEN && !decode_level(f.data, f.len, &from)) return 0;
    if (f.number == 3 && f.wire == PB_LEN && !decode_level(f.data, f.len, &to)) return 0;
  }
  if (r.error != NULL) return fail("malformed inventory.TransferResponse: %s", r.error);
  line("transferred 2 widget from %s to %s: %s has %d, %s has %d", B, A, B, from.quantity, A,
       to.quantity);

  if (!sku_call(B, "Transfer", "gadget", 1, NOWHERE, &result) ||
      !expect(&result, 502, "Transfer to " NOWHERE)) {
    return 0;
  }
  line("a transfer of 1 gadget from %s to %s (no such warehouse) failed with 502 and was"
       " compensated",
       B, NOWHERE);
  unsigned char buf[96];
  pb_writer_t get = pb_writer(buf, sizeof buf);
  pb_put_string(&get, 1, "gadget");
  int64_t gadgets;
  char listed[LINE_MAX / 2];
  if (!call(B, "GetStock", &get, &result) || !expect(&result, 200, "GetStock of gadget") ||
      !decode_stock(answer, result.len, &gadgets, listed, sizeof listed)) {
    return 0;
  }
  line("%s still has %lld gadget", B, (long long)gadgets);

  if (!sku_call(A, "Buy", "widget", 3, NULL, &result) || !expect(&result, 200, "Buy of 3") ||
      !decode_level(answer, result.len, &level)) {
    return 0;
  }
  report->bought += 3;
  line("bought 3 widget from %s: it has %d", A, level.quantity);

  if (!stock_total(A, &a_total) || !stock_total(B, &b_total)) return 0;
  report->total_after = a_total + b_total;
  line("total after: %lld (%s %lld, %s %lld)", (long long)report->total_after, A,
       (long long)a_total, B, (long long)b_total);
  int64_t expected = report->total_before - report->bought + report->returned;
  line("%s: %lld before - %lld bought + %lld returned = %lld, %lld after",
       expected == report->total_after ? "conserved" : "NOT CONSERVED",
       (long long)report->total_before, (long long)report->bought, (long long)report->returned,
       (long long)expected, (long long)report->total_after);
  return 1;
}

/* ---- the answer --------------------------------------------------------------------------- */

static void reply_text(wr_response_t *response, int status) {
  static char text[LINES_MAX * (LINE_MAX + 1) + LINE_MAX + 16];
  size_t at = 0;
  for (size_t i = 0; i < line_count; i++) {
    at += (size_t)snprintf(text + at, sizeof text - at, "%s\n", lines[i]);
  }
  if (failure[0] != '\0') {
    at += (size_t)snprintf(text + at, sizeof text - at, "failed: %s\n", failure);
  }
  wr_respond(response, status, "text/plain; charset=utf-8", text, at, NULL);
}

static void reply_report(wr_response_t *response, const report_t *report) {
  static unsigned char buf[LINES_MAX * (LINE_MAX + 4) + 64];
  pb_writer_t w = pb_writer(buf, sizeof buf);
  for (size_t i = 0; i < line_count; i++) {
    pb_put_string(&w, 1, lines[i]);
  }
  pb_put_int64(&w, 2, report->total_before);
  pb_put_int64(&w, 3, report->total_after);
  pb_put_int64(&w, 4, report->bought);
  pb_put_int64(&w, 5, report->returned);
  pb_put_bool(&w, 6,
              report->total_after == report->total_before - report->bought + report->returned);
  reply_protobuf(response, buf, w.len);
}

void wr_handle(wr_request_t *request, wr_response_t *response) {
  line_count = 0;
  failure[0] = '\0';
  report_t report;
  memset(&report, 0, sizeof report);
  int rpc = strcmp(wr_request_path(request), RUN_PATH) == 0;
  int ok = run(&report);
  if (!ok) {
    wr_log(WR_WARN, "the scenario failed: %s", failure);
  }
  if (!rpc) {
    reply_text(response, ok ? 200 : 502);
  } else if (ok) {
    reply_report(response, &report);
  } else {
    reply_error(response, 502, "scenario_failed", "%s (after: %s)", failure,
                line_count > 0 ? lines[line_count - 1] : "nothing");
  }
}
