/* Internal declarations shared by the SDK's sources. Not part of the public API. */
#ifndef WRUNTIME_INTERNAL_H
#define WRUNTIME_INTERNAL_H

#include <stdint.h>

#include "wruntime.h"

/*
 * "No handle". The Component Model never hands out 0 or u32::MAX as a handle; the SDK uses -1
 * (u32::MAX) so that a host numbering its tables from 0 still works.
 */
#define WR_NO_HANDLE (-1)

/* An incoming body being read: incoming-body plus its input-stream child. */
struct wr_body_reader {
  int32_t body;
  int32_t stream;
  int eof;
};

/* An outgoing body being written: outgoing-body plus its output-stream child. */
struct wr_body_writer {
  int32_t body;
  int32_t stream;
};

struct wr_request {
  int32_t handle;
  int32_t headers;
  char *method;
  char *path;
  int consumed;
  struct wr_body_reader reader;
};

struct wr_response {
  int32_t outparam;
  int32_t fields;
  int started;
  int finished;
  int failed;
  struct wr_body_writer writer;
};

struct wr_client_request {
  int32_t fields;
  int method_case;
  char *method_other;
  int scheme_case;
  char *scheme_other;
  char *authority;
  char *path;
  int sent;
  int32_t future;
  struct wr_body_writer writer;
};

struct wr_client_response {
  int32_t handle;
  int32_t headers;
  int status;
  int consumed;
  struct wr_body_reader reader;
};

/* Fills err (when non-NULL) and returns -1. */
int wr__fail(wr_error_t *err, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Decodes a stream-error stored at `se` (u8 case at 0, error handle at 4) into err; returns -1. */
int wr__stream_error(const uint8_t *se, wr_error_t *err);

/* Decodes an error-code stored at `ec` (8-aligned) into err and frees its host strings. */
void wr__error_code(const uint8_t *ec, wr_error_t *err);

/* Turns a host-allocated (ptr, len) string into a NUL-terminated one (takes ownership). */
char *wr__take_string(uint8_t *ptr, uint32_t len);

/*
 * Lends `buf` (capacity `cap`) to cabi_realloc: the next fresh allocation of at most `cap` bytes
 * with alignment 1 returns `buf` instead of heap memory, once. Used so that input-stream reads
 * land directly in the caller's buffer.
 */
void wr__lend(void *buf, uint32_t cap);
void wr__unlend(void);

/* Fields (headers) helpers. */
ssize_t wr__fields_lookup(int32_t fields, const char *name, char *buf, size_t cap);
int wr__fields_append(int32_t fields, const char *name, const char *value, wr_error_t *err);

/* Body helpers. */
ssize_t wr__reader_read(struct wr_body_reader *reader, void *buf, size_t cap, wr_error_t *err);
void wr__reader_close(struct wr_body_reader *reader);
int wr__writer_open(struct wr_body_writer *writer, int32_t body, wr_error_t *err);
int wr__writer_write(struct wr_body_writer *writer, const void *data, size_t len,
                     wr_error_t *err);
int wr__writer_finish(struct wr_body_writer *writer, wr_error_t *err);
void wr__writer_abort(struct wr_body_writer *writer);

#endif
