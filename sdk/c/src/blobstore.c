/*
 * Object storage: wruntime:blobstore/store@0.1.0 lowered by the Canonical ABI onto a core module.
 *
 * Layouts used below (wasm32):
 *   string: (ptr, len), 8 bytes, align 4.
 *   error = variant { not-found, access-denied, io, too-large } of string: 12 bytes, align 4,
 *     u8 case at 0, string at 4.
 *   object-meta: 48 bytes, align 8: key string at 0, size u64 at 8, last-modified u64 at 16,
 *     content-type option<string> at 24 (u8 case, string at 28), etag at 36 (u8 case, string
 *     at 40).
 *   put(bucket, key, content-type: option<string>, size: option<u64>) flattens to bucket
 *     (ptr, len), key (ptr, len), i32 case, ptr, len, i32 case, i64, plus a return area.
 *   Return areas: result<own<...>, error>, result<_, error> and result<list<u8>, error>: 16 bytes,
 *     align 4, u8 case at 0, payload at 4. result<list-page, error>: 24 bytes, the page's object
 *     list at 4, its continuation option<string> at 12. result<object-meta, error>: 56 bytes,
 *     align 8, payload at 8.
 *   Strings and lists the host returns come from our cabi_realloc: ours to free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wasi_abi.h"
#include "wruntime_blobstore.h"

#define WR_BLOB "wruntime:blobstore/store@0.1.0"
#define WR_BLOB_CHUNK (1024 * 1024)

WR_IMPORT(WR_BLOB, "put")
void wr_abi_blob_put(const char *bucket, int32_t bucket_len, const char *key, int32_t key_len,
                     int32_t type_some, const char *type, int32_t type_len, int32_t size_some,
                     int64_t size, uint8_t *ret);

WR_IMPORT(WR_BLOB, "get")
void wr_abi_blob_get(const char *bucket, int32_t bucket_len, const char *key, int32_t key_len,
                     uint8_t *ret);

WR_IMPORT(WR_BLOB, "delete")
void wr_abi_blob_delete(const char *bucket, int32_t bucket_len, const char *key, int32_t key_len,
                        uint8_t *ret);

WR_IMPORT(WR_BLOB, "list")
void wr_abi_blob_list(const char *bucket, int32_t bucket_len, const char *prefix,
                      int32_t prefix_len, int32_t cont_some, const char *cont, int32_t cont_len,
                      int32_t max_keys, uint8_t *ret);

WR_IMPORT(WR_BLOB, "head")
void wr_abi_blob_head(const char *bucket, int32_t bucket_len, const char *key, int32_t key_len,
                      uint8_t *ret);

WR_IMPORT(WR_BLOB, "[method]outgoing-object.write")
void wr_abi_blob_write(int32_t self, const uint8_t *chunk, int32_t len, uint8_t *ret);

WR_IMPORT(WR_BLOB, "[method]outgoing-object.finish")
void wr_abi_blob_finish(int32_t self, uint8_t *ret);

WR_IMPORT(WR_BLOB, "[resource-drop]outgoing-object")
void wr_abi_blob_outgoing_drop(int32_t self);

WR_IMPORT(WR_BLOB, "[method]incoming-object.meta")
void wr_abi_blob_meta(int32_t self, uint8_t *ret);

WR_IMPORT(WR_BLOB, "[method]incoming-object.read")
void wr_abi_blob_read(int32_t self, int32_t max_bytes, uint8_t *ret);

WR_IMPORT(WR_BLOB, "[resource-drop]incoming-object")
void wr_abi_blob_incoming_drop(int32_t self);

struct wr_blob_writer {
  int32_t handle;
  int failed;
};

struct wr_blob_reader {
  int32_t handle;
  int ended;
};

static int fail(wr_blob_error_t *err, int kind, const char *message, uint32_t len) {
  if (err != NULL) {
    err->kind = kind;
    snprintf(err->message, sizeof err->message, "%.*s", (int)len, message);
  }
  return -1;
}

static int nomem(wr_blob_error_t *err) {
  return fail(err, WR_E_NOMEM, "out of memory", 13);
}

static uint32_t load_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static uint64_t load_u64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static int32_t len_of(const char *s) {
  return s != NULL ? (int32_t)strlen(s) : 0;
}

const char *wr_blob_error_name(int kind) {
  switch (kind) {
    case WR_BLOB_E_NOT_FOUND:
      return "not-found";
    case WR_BLOB_E_ACCESS_DENIED:
      return "access-denied";
    case WR_BLOB_E_IO:
      return "io";
    case WR_BLOB_E_TOO_LARGE:
      return "too-large";
    default:
      return wr_error_name(kind);
  }
}

/* Decodes an error at `e` (u8 case, string at 4) into err and frees its host string; -1. */
static int take_error(const uint8_t *e, wr_blob_error_t *err) {
  uint8_t *text = (uint8_t *)(uintptr_t)load_u32(e + 4);
  uint32_t len = load_u32(e + 8);
  fail(err, e[0], (const char *)text, len);
  if (len > 0) {
    free(text);
  }
  return -1;
}

/* Takes a host string (ptr, len) at `p` as a NUL-terminated one; NULL when out of memory. */
static char *take(const uint8_t *p) {
  return wr__take_string((uint8_t *)(uintptr_t)load_u32(p), load_u32(p + 4));
}

/* Takes an option<string> at `p` (u8 case, string at 4); *ok is cleared when out of memory. */
static char *take_option(const uint8_t *p, int *ok) {
  if (p[0] == 0) {
    return NULL;
  }
  char *s = take(p + 4);
  if (s == NULL) {
    *ok = 0;
  }
  return s;
}

/* Decodes an object-meta at `p` into meta, taking its strings; 0, or -1 when out of memory. */
static int take_meta(const uint8_t *p, wr_blob_meta_t *meta) {
  int ok = 1;
  meta->key = take(p);
  ok &= meta->key != NULL;
  meta->size = load_u64(p + 8);
  meta->last_modified = load_u64(p + 16);
  meta->content_type = take_option(p + 24, &ok);
  meta->etag = take_option(p + 36, &ok);
  if (!ok) {
    wr_blob_meta_free(meta);
    return -1;
  }
  return 0;
}

void wr_blob_meta_free(wr_blob_meta_t *meta) {
  if (meta == NULL) {
    return;
  }
  free(meta->key);
  free(meta->content_type);
  free(meta->etag);
  meta->key = NULL;
  meta->content_type = NULL;
  meta->etag = NULL;
}

wr_blob_writer_t *wr_blob_put(const char *bucket, const char *key, const char *content_type,
                              int has_size, uint64_t size, wr_blob_error_t *err) {
  _Alignas(4) uint8_t ret[16];
  wr_abi_blob_put(bucket, len_of(bucket), key, len_of(key), content_type != NULL, content_type,
                  len_of(content_type), has_size != 0, has_size ? (int64_t)size : 0, ret);
  if (ret[0] != 0) {
    take_error(ret + 4, err);
    return NULL;
  }
  int32_t handle = (int32_t)load_u32(ret + 4);
  wr_blob_writer_t *writer = malloc(sizeof *writer);
  if (writer == NULL) {
    wr_abi_blob_outgoing_drop(handle);
    nomem(err);
    return NULL;
  }
  writer->handle = handle;
  writer->failed = 0;
  return writer;
}

int wr_blob_write(wr_blob_writer_t *writer, const void *data, size_t len, wr_blob_error_t *err) {
  const uint8_t *at = data;
  while (len > 0) {
    size_t n = len < WR_BLOB_CHUNK ? len : WR_BLOB_CHUNK;
    _Alignas(4) uint8_t ret[16];
    wr_abi_blob_write(writer->handle, at, (int32_t)n, ret);
    if (ret[0] != 0) {
      writer->failed = 1;
      return take_error(ret + 4, err);
    }
    at += n;
    len -= n;
  }
  return 0;
}

int wr_blob_finish(wr_blob_writer_t *writer, wr_blob_meta_t *meta, wr_blob_error_t *err) {
  _Alignas(8) uint8_t ret[56];
  if (meta != NULL) {
    memset(meta, 0, sizeof *meta);
  }
  wr_abi_blob_finish(writer->handle, ret);
  wr_abi_blob_outgoing_drop(writer->handle);
  free(writer);
  if (ret[0] != 0) {
    return take_error(ret + 8, err);
  }
  wr_blob_meta_t got;
  if (take_meta(ret + 8, &got) != 0) {
    return nomem(err);
  }
  if (meta != NULL) {
    *meta = got;
  } else {
    wr_blob_meta_free(&got);
  }
  return 0;
}

void wr_blob_writer_abort(wr_blob_writer_t *writer) {
  if (writer == NULL) {
    return;
  }
  wr_abi_blob_outgoing_drop(writer->handle);
  free(writer);
}

wr_blob_reader_t *wr_blob_get(const char *bucket, const char *key, wr_blob_error_t *err) {
  _Alignas(4) uint8_t ret[16];
  wr_abi_blob_get(bucket, len_of(bucket), key, len_of(key), ret);
  if (ret[0] != 0) {
    take_error(ret + 4, err);
    return NULL;
  }
  int32_t handle = (int32_t)load_u32(ret + 4);
  wr_blob_reader_t *reader = malloc(sizeof *reader);
  if (reader == NULL) {
    wr_abi_blob_incoming_drop(handle);
    nomem(err);
    return NULL;
  }
  reader->handle = handle;
  reader->ended = 0;
  return reader;
}

int wr_blob_reader_meta(wr_blob_reader_t *reader, wr_blob_meta_t *meta) {
  _Alignas(8) uint8_t ret[48];
  memset(meta, 0, sizeof *meta);
  wr_abi_blob_meta(reader->handle, ret);
  return take_meta(ret, meta) == 0 ? 0 : WR_E_NOMEM;
}

ssize_t wr_blob_read(wr_blob_reader_t *reader, void *buf, size_t cap, wr_blob_error_t *err) {
  if (reader->ended || cap == 0) {
    return 0;
  }
  size_t max = cap < WR_BLOB_CHUNK ? cap : WR_BLOB_CHUNK;
  _Alignas(4) uint8_t ret[16];
  wr__lend(buf, (uint32_t)max);
  wr_abi_blob_read(reader->handle, (int32_t)max, ret);
  wr__unlend();
  if (ret[0] != 0) {
    reader->ended = 1;
    return take_error(ret + 4, err);
  }
  uint8_t *data = (uint8_t *)(uintptr_t)load_u32(ret + 4);
  uint32_t len = load_u32(ret + 8);
  if (data != (uint8_t *)buf && len > 0) {
    if (len > max) {
      free(data);
      reader->ended = 1;
      return fail(err, WR_BLOB_E_IO, "read returned more bytes than asked for", 39);
    }
    memcpy(buf, data, len);
    free(data);
  }
  if (len == 0) {
    reader->ended = 1;
  }
  return (ssize_t)len;
}

void wr_blob_reader_close(wr_blob_reader_t *reader) {
  if (reader == NULL) {
    return;
  }
  wr_abi_blob_incoming_drop(reader->handle);
  free(reader);
}

int wr_blob_delete(const char *bucket, const char *key, wr_blob_error_t *err) {
  _Alignas(4) uint8_t ret[16];
  wr_abi_blob_delete(bucket, len_of(bucket), key, len_of(key), ret);
  return ret[0] != 0 ? take_error(ret + 4, err) : 0;
}

int wr_blob_head(const char *bucket, const char *key, wr_blob_meta_t *meta, wr_blob_error_t *err) {
  _Alignas(8) uint8_t ret[56];
  memset(meta, 0, sizeof *meta);
  wr_abi_blob_head(bucket, len_of(bucket), key, len_of(key), ret);
  if (ret[0] != 0) {
    return take_error(ret + 8, err);
  }
  return take_meta(ret + 8, meta) == 0 ? 0 : nomem(err);
}

int wr_blob_list(const char *bucket, const char *prefix, const char *continuation,
                 uint32_t max_keys, wr_blob_page_t *page, wr_blob_error_t *err) {
  _Alignas(4) uint8_t ret[24];
  memset(page, 0, sizeof *page);
  wr_abi_blob_list(bucket, len_of(bucket), prefix != NULL ? prefix : "", len_of(prefix),
                   continuation != NULL, continuation, len_of(continuation), (int32_t)max_keys,
                   ret);
  if (ret[0] != 0) {
    return take_error(ret + 4, err);
  }
  uint8_t *list = (uint8_t *)(uintptr_t)load_u32(ret + 4);
  uint32_t count = load_u32(ret + 8);
  int ok = 1;
  page->objects = calloc(count + 1, sizeof *page->objects);
  for (uint32_t i = 0; i < count; i++) {
    wr_blob_meta_t meta;
    if (take_meta(list + (size_t)i * 48, &meta) != 0) {
      ok = 0;
      continue;
    }
    if (page->objects != NULL) {
      page->objects[page->count++] = meta;
    } else {
      wr_blob_meta_free(&meta);
    }
  }
  if (count > 0) {
    free(list);
  }
  page->continuation = take_option(ret + 12, &ok);
  if (!ok || page->objects == NULL) {
    wr_blob_page_free(page);
    return nomem(err);
  }
  return 0;
}

void wr_blob_page_free(wr_blob_page_t *page) {
  if (page == NULL) {
    return;
  }
  for (size_t i = 0; i < page->count; i++) {
    wr_blob_meta_free(&page->objects[i]);
  }
  free(page->objects);
  free(page->continuation);
  page->objects = NULL;
  page->count = 0;
  page->continuation = NULL;
}
