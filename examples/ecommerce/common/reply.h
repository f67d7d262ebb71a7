/*
 * reply: what both ecommerce modules share besides protobuf — reading a (small) body whole,
 * answering with a JSON error, and the rules for skus and warehouse names.
 */
#ifndef ECOMMERCE_REPLY_H
#define ECOMMERCE_REPLY_H

#include <stddef.h>

#include <wruntime.h>

#define SKU_MAX 64
#define WAREHOUSE_MAX 24

/**
 * Reads the whole body into buf. Returns its length, -1 when it is larger than cap, -2 when
 * reading failed (err says why).
 */
long read_all_request(wr_request_t *request, unsigned char *buf, size_t cap, wr_error_t *err);

/** As read_all_request, for a response of an outbound call. */
long read_all_response(wr_client_response_t *response, unsigned char *buf, size_t cap,
                       wr_error_t *err);

/** Answers `status` with {"error": <message>, "code": <code>} (message printf-style). */
void reply_error(wr_response_t *response, int status, const char *code, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/** Answers 200 with a protobuf body. */
void reply_protobuf(wr_response_t *response, const void *body, size_t len);

/**
 * Copies a sku (1 to 64 of A-Z a-z 0-9 . _ -) into out (SKU_MAX + 1 bytes). Returns 1, or 0 when
 * it breaks the rule.
 */
int copy_sku(const unsigned char *data, size_t len, char *out);

/**
 * Copies a warehouse, the namespace of an inventory module (1 to 24 of a-z 0-9 -, not starting or
 * ending with -), into out (WAREHOUSE_MAX + 1 bytes). Returns 1, or 0 when it breaks the rule.
 */
int copy_warehouse(const unsigned char *data, size_t len, char *out);

#endif
