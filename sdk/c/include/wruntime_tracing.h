/*
 * wruntime C guest SDK: module spans through wruntime:tracing/span@0.1.0 (wit/tracing/span.wit).
 *
 * The module's [[module]] entry must grant it: [module.capabilities.tracing]. A module that uses
 * any function here imports wruntime:tracing and fails to load without that grant.
 *
 * A span started with wr_span_start is a child of the current span: the newest span this request
 * started and has not ended, or else the engine's engine.dispatch span of the request. While a
 * span is current, the module's outgoing HTTP calls (wr_client_request_*) carry it as their
 * parent. wr_span_end ends a span and frees it; spans still open when wr_handle returns are ended
 * by the engine.
 *
 *     wr_error_t err;
 *     wr_span_t *span = wr_span_start("load-cart", &err);
 *     if (span == NULL) { ... err.code is WR_E_LIMIT (too many spans) or WR_E_INVALID ... }
 *     wr_span_set_int(span, "cart.items", 3);
 *     wr_span_end(span);
 *
 * The functions taking a span accept NULL and then do nothing, so a module may go on after a
 * failed start without checking every call.
 */
#ifndef WRUNTIME_TRACING_H
#define WRUNTIME_TRACING_H

#include <stddef.h>
#include <stdint.h>

#include "wruntime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wr_span wr_span_t;

/**
 * Starts a span named `name` (1 to 256 bytes of UTF-8) as a child of the current span; it becomes
 * the current span. Returns NULL on error: WR_E_LIMIT when the request already started as many
 * spans as its cap (max_spans) allows, WR_E_INVALID for a bad name, WR_E_NOMEM.
 */
wr_span_t *wr_span_start(const char *name, wr_error_t *err);

/** As wr_span_start, but the span starts a new trace (it has no parent). */
wr_span_t *wr_span_start_root(const char *name, wr_error_t *err);

/** Sets a text attribute (keys 1 to 256 bytes; values beyond 4096 characters are cut). */
void wr_span_set_string(wr_span_t *span, const char *key, const char *value);

/** Sets an integer attribute. */
void wr_span_set_int(wr_span_t *span, const char *key, int64_t value);

/** Sets a floating-point attribute. */
void wr_span_set_double(wr_span_t *span, const char *key, double value);

/** Sets a boolean attribute (0 is false, anything else true). */
void wr_span_set_bool(wr_span_t *span, const char *key, int value);

/** The kinds of attribute values. */
typedef enum wr_attr_kind {
  WR_ATTR_STRING = 0,
  WR_ATTR_INT = 1,
  WR_ATTR_DOUBLE = 2,
  WR_ATTR_BOOL = 3,
} wr_attr_kind_t;

/** An attribute of an event. */
typedef struct wr_attr {
  const char *key;
  wr_attr_kind_t kind;
  union {
    const char *string;
    int64_t i;
    double d;
    int b;
  } value;
} wr_attr_t;

/** Convenience initializers: WR_ATTR_S("k", "v"), WR_ATTR_I("k", 1), ... */
#define WR_ATTR_S(k, v) ((wr_attr_t){.key = (k), .kind = WR_ATTR_STRING, .value.string = (v)})
#define WR_ATTR_I(k, v) ((wr_attr_t){.key = (k), .kind = WR_ATTR_INT, .value.i = (v)})
#define WR_ATTR_D(k, v) ((wr_attr_t){.key = (k), .kind = WR_ATTR_DOUBLE, .value.d = (v)})
#define WR_ATTR_B(k, v) ((wr_attr_t){.key = (k), .kind = WR_ATTR_BOOL, .value.b = (v)})

/**
 * Records an event named `name` now, with `count` attributes (at most 128 are kept). Returns 0, or
 * -1 (WR_E_NOMEM) when the attributes could not be prepared.
 */
int wr_span_event(wr_span_t *span, const char *name, const wr_attr_t *attrs, size_t count,
                  wr_error_t *err);

/** Marks the span as failed with a description. */
void wr_span_set_error(wr_span_t *span, const char *message);

/** Ends the span and frees it; the newest span still open becomes current. NULL is allowed. */
void wr_span_end(wr_span_t *span);

#ifdef __cplusplus
}
#endif

#endif
