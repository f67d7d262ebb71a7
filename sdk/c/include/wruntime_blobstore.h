/*
 * wruntime C guest SDK: object storage through wruntime:blobstore/store@0.1.0
 * (wit/blobstore/store.wit).
 *
 * The module's [[module]] entry must grant it: [module.capabilities.blobstore] with the buckets
 * the module may use. A module that uses any function here imports wruntime:blobstore and fails
 * to load without that grant. Keys are relative ("reports/2024.csv"): the engine stores them
 * under the module's namespace, so modules of another namespace never see them. Empty and
 * absolute keys, keys with a ".." segment or control characters are refused
 * (WR_BLOB_E_ACCESS_DENIED).
 *
 * Writing streams the body to the store as it is written:
 *
 *     wr_blob_error_t err;
 *     wr_blob_writer_t *w = wr_blob_put("orders", "2024/42.json", "application/json",
 *                                        1, body_len, &err);    (size known: 1, body_len)
 *     if (w == NULL || wr_blob_write(w, body, body_len, &err) != 0 ||
 *         wr_blob_finish(w, NULL, &err) != 0) {
 *       ... err.kind is WR_BLOB_E_TOO_LARGE, WR_BLOB_E_ACCESS_DENIED, ... (w is freed)
 *     }
 *
 * Reading:
 *
 *     wr_blob_reader_t *r = wr_blob_get("orders", "2024/42.json", &err);
 *     char buf[65536];
 *     ssize_t n;
 *     while ((n = wr_blob_read(r, buf, sizeof buf, &err)) > 0) { ... }
 *     wr_blob_reader_close(r);              (n is 0 at the end, -1 on an error)
 */
#ifndef WRUNTIME_BLOBSTORE_H
#define WRUNTIME_BLOBSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wruntime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The cases of the interface's error, in WIT order; WR_E_NOMEM (< 0) is the SDK's own. */
typedef enum wr_blob_error_kind {
  /** No such object. */
  WR_BLOB_E_NOT_FOUND = 0,
  /** The bucket is not granted, or the key is not allowed. */
  WR_BLOB_E_ACCESS_DENIED = 1,
  /** The store failed or cannot be reached, or a per-request cap was reached. */
  WR_BLOB_E_IO = 2,
  /** The object is larger than the engine's max_object_size: nothing was stored. */
  WR_BLOB_E_TOO_LARGE = 3,
} wr_blob_error_kind_t;

typedef struct wr_blob_error {
  int kind;
  /** The host's description, NUL-terminated, truncated. */
  char message[256];
} wr_blob_error_t;

/** The name of an error kind: "not-found", "access-denied", "io", "too-large", ... */
const char *wr_blob_error_name(int kind);

/** What the store knows about an object; its strings are owned by it until wr_blob_meta_free. */
typedef struct wr_blob_meta {
  /** The module's key (without the namespace). */
  char *key;
  uint64_t size;
  /** Milliseconds since the Unix epoch. */
  uint64_t last_modified;
  /** NULL when the store has none. */
  char *content_type;
  /** NULL when the store has none. */
  char *etag;
} wr_blob_meta_t;

void wr_blob_meta_free(wr_blob_meta_t *meta);

/* ---- writing ------------------------------------------------------------------------------ */

typedef struct wr_blob_writer wr_blob_writer_t;

/**
 * Starts writing `key` of `bucket`. `content_type` may be NULL. With `has_size`, the body is
 * exactly `size` bytes (streamed to the store as written); without, the engine uploads it in
 * parts. Returns NULL and fills `err` on error.
 */
wr_blob_writer_t *wr_blob_put(const char *bucket, const char *key, const char *content_type,
                              int has_size, uint64_t size, wr_blob_error_t *err);

/**
 * Appends `len` bytes (sent in chunks of at most 1 MiB), blocking while the store applies
 * backpressure. Returns 0, or -1 (the object then can only be aborted; nothing is stored).
 */
int wr_blob_write(wr_blob_writer_t *writer, const void *data, size_t len, wr_blob_error_t *err);

/**
 * Ends the body and stores the object. Always frees `writer`. Fills `meta` when non-NULL (free it
 * with wr_blob_meta_free). Returns 0, or -1 on error (nothing stored).
 */
int wr_blob_finish(wr_blob_writer_t *writer, wr_blob_meta_t *meta, wr_blob_error_t *err);

/** Frees a writer without finishing it: nothing is stored. NULL is allowed. */
void wr_blob_writer_abort(wr_blob_writer_t *writer);

/* ---- reading ------------------------------------------------------------------------------ */

typedef struct wr_blob_reader wr_blob_reader_t;

/** Opens `key` of `bucket` for reading. Returns NULL and fills `err` on error. */
wr_blob_reader_t *wr_blob_get(const char *bucket, const char *key, wr_blob_error_t *err);

/** The object's meta data; 0, or WR_E_NOMEM. Free it with wr_blob_meta_free. */
int wr_blob_reader_meta(wr_blob_reader_t *reader, wr_blob_meta_t *meta);

/** Reads up to `cap` bytes (at most 1 MiB a call): the count, 0 at the end, or -1 on error. */
ssize_t wr_blob_read(wr_blob_reader_t *reader, void *buf, size_t cap, wr_blob_error_t *err);

/** Stops reading and frees the reader. NULL is allowed. */
void wr_blob_reader_close(wr_blob_reader_t *reader);

/* ---- the rest ----------------------------------------------------------------------------- */

/** Deletes `key` of `bucket` (a missing object is not an error). Returns 0, or -1. */
int wr_blob_delete(const char *bucket, const char *key, wr_blob_error_t *err);

/** What the store knows about `key` of `bucket`: 0 and `meta` filled, or -1. */
int wr_blob_head(const char *bucket, const char *key, wr_blob_meta_t *meta, wr_blob_error_t *err);

/** One page of a listing; owned by it until wr_blob_page_free. */
typedef struct wr_blob_page {
  wr_blob_meta_t *objects;
  size_t count;
  /** Pass to the next wr_blob_list to continue; NULL on the last page. */
  char *continuation;
} wr_blob_page_t;

/**
 * Lists up to `max_keys` objects (0: as many as the engine allows, its max_list_objects) whose
 * keys start with `prefix` ("" for all), after `continuation` (NULL for the first page). Returns
 * 0 and fills `page`, or -1.
 */
int wr_blob_list(const char *bucket, const char *prefix, const char *continuation,
                 uint32_t max_keys, wr_blob_page_t *page, wr_blob_error_t *err);

void wr_blob_page_free(wr_blob_page_t *page);

#ifdef __cplusplus
}
#endif

#endif
