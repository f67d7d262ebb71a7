/* Headers and streaming bodies over wasi:http fields and wasi:io streams. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wasi_abi.h"

static int32_t load_i32(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static uint64_t load_u64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* Lower-cases `name` into `small` when it fits, else into a heap copy; NULL when out of memory. */
static char *lower_name(const char *name, size_t len, char *small, size_t small_cap) {
  char *out = len < small_cap ? small : malloc(len + 1);
  if (out == NULL) {
    return NULL;
  }
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  out[len] = '\0';
  return out;
}

ssize_t wr__fields_lookup(int32_t fields, const char *name, char *buf, size_t cap) {
  if (fields == WR_NO_HANDLE || name == NULL) {
    return -1;
  }
  size_t name_len = strlen(name);
  char small[128];
  char *lower = lower_name(name, name_len, small, sizeof small);
  if (lower == NULL) {
    return -1;
  }
  _Alignas(4) uint8_t ret[8];
  wr_abi_fields_get(fields, lower, (int32_t)name_len, ret);
  if (lower != small) {
    free(lower);
  }
  const uint8_t *values = (const uint8_t *)(uintptr_t)load_i32(ret);
  int32_t count = load_i32(ret + 4);
  ssize_t result = -1;
  for (int32_t i = 0; i < count; i++) {
    const uint8_t *entry = values + (size_t)i * 8;
    uint8_t *value = (uint8_t *)(uintptr_t)load_i32(entry);
    int32_t value_len = load_i32(entry + 4);
    if (i == 0) {
      result = value_len;
      if (cap > 0) {
        size_t n = (size_t)value_len < cap - 1 ? (size_t)value_len : cap - 1;
        memcpy(buf, value, n);
        buf[n] = '\0';
      }
    }
    if (value_len > 0) {
      free(value);
    }
  }
  if (count > 0) {
    free((void *)values);
  }
  return result;
}

int wr__fields_append(int32_t fields, const char *name, const char *value, wr_error_t *err) {
  if (name == NULL || value == NULL) {
    return wr__fail(err, WR_E_INVALID, "header name and value must not be NULL");
  }
  size_t name_len = strlen(name);
  char small[128];
  char *lower = lower_name(name, name_len, small, sizeof small);
  if (lower == NULL) {
    return wr__fail(err, WR_E_NOMEM, "out of memory");
  }
  _Alignas(4) uint8_t ret[2];
  wr_abi_fields_append(fields, lower, (int32_t)name_len, (const uint8_t *)value,
                       (int32_t)strlen(value), ret);
  if (lower != small) {
    free(lower);
  }
  if (ret[0] != 0) {
    static const char *const reasons[] = {"invalid syntax", "forbidden", "immutable"};
    const char *reason = ret[1] < 3 ? reasons[ret[1]] : "rejected";
    return wr__fail(err, WR_E_INVALID, "header %s: %s", name, reason);
  }
  return 0;
}

ssize_t wr__reader_read(struct wr_body_reader *reader, void *buf, size_t cap, wr_error_t *err) {
  if (reader->eof) {
    return 0;
  }
  if (reader->stream == WR_NO_HANDLE) {
    return wr__fail(err, WR_E_STATE, "no body stream to read");
  }
  if (buf == NULL || cap == 0) {
    return wr__fail(err, WR_E_INVALID, "read buffer: empty (expected: at least one byte)");
  }
  if (cap > INT32_MAX) {
    cap = INT32_MAX;
  }
  for (;;) {
    _Alignas(4) uint8_t ret[12];
    wr__lend(buf, (uint32_t)cap);
    wr_abi_input_stream_blocking_read(reader->stream, (int64_t)cap, ret);
    wr__unlend();
    if (ret[0] != 0) {
      reader->eof = 1;
      if (ret[4] == 1) {
        return 0; /* closed: the end of the body */
      }
      return wr__stream_error(ret + 4, err);
    }
    uint8_t *data = (uint8_t *)(uintptr_t)load_i32(ret + 4);
    uint32_t len = (uint32_t)load_i32(ret + 8);
    if (data != (uint8_t *)buf && len > 0) {
      /* The host allocated elsewhere (it did not size the list within `cap` up front). */
      if (len > cap) {
        free(data);
        reader->eof = 1;
        return wr__fail(err, WR_E_IO, "stream returned %u bytes (expected: at most %zu)", len,
                        cap);
      }
      memcpy(buf, data, len);
      free(data);
    }
    if (len > 0) {
      return (ssize_t)len;
    }
    /* ok but empty: blocking-read may wake without data; read again. */
  }
}

void wr__reader_close(struct wr_body_reader *reader) {
  if (reader->stream != WR_NO_HANDLE) {
    wr_abi_input_stream_drop(reader->stream);
    reader->stream = WR_NO_HANDLE;
  }
  if (reader->body != WR_NO_HANDLE) {
    wr_abi_incoming_body_drop(reader->body);
    reader->body = WR_NO_HANDLE;
  }
}

int wr__writer_open(struct wr_body_writer *writer, int32_t body, wr_error_t *err) {
  writer->body = body;
  _Alignas(4) uint8_t ret[8];
  wr_abi_outgoing_body_write(body, ret);
  if (ret[0] != 0) {
    writer->stream = WR_NO_HANDLE;
    return wr__fail(err, WR_E_STATE, "outgoing-body.write: the body stream was already taken");
  }
  writer->stream = load_i32(ret + 4);
  return 0;
}

int wr__writer_write(struct wr_body_writer *writer, const void *data, size_t len,
                     wr_error_t *err) {
  if (writer->stream == WR_NO_HANDLE) {
    return wr__fail(err, WR_E_STATE, "no body stream to write");
  }
  const uint8_t *p = data;
  while (len > 0) {
    _Alignas(8) uint8_t permit_ret[16];
    wr_abi_output_stream_check_write(writer->stream, permit_ret);
    if (permit_ret[0] != 0) {
      return wr__stream_error(permit_ret + 8, err);
    }
    uint64_t permit = load_u64(permit_ret + 8);
    if (permit == 0) {
      /* Backpressure: the stream's pollable is ready once check-write permits a byte again. */
      int32_t pollable = wr_abi_output_stream_subscribe(writer->stream);
      wr_abi_pollable_block(pollable);
      wr_abi_pollable_drop(pollable);
      continue;
    }
    size_t n = permit < (uint64_t)len ? (size_t)permit : len;
    _Alignas(4) uint8_t write_ret[12];
    wr_abi_output_stream_write(writer->stream, p, (int32_t)n, write_ret);
    if (write_ret[0] != 0) {
      return wr__stream_error(write_ret + 4, err);
    }
    p += n;
    len -= n;
  }
  return 0;
}

int wr__writer_finish(struct wr_body_writer *writer, wr_error_t *err) {
  if (writer->stream != WR_NO_HANDLE) {
    _Alignas(4) uint8_t flush_ret[12];
    wr_abi_output_stream_blocking_flush(writer->stream, flush_ret);
    if (flush_ret[0] != 0) {
      wr__stream_error(flush_ret + 4, err);
      wr__writer_abort(writer);
      return -1;
    }
    wr_abi_output_stream_drop(writer->stream);
    writer->stream = WR_NO_HANDLE;
  }
  if (writer->body == WR_NO_HANDLE) {
    return 0;
  }
  _Alignas(8) uint8_t ret[40];
  wr_abi_outgoing_body_finish(writer->body, 0, 0, ret);
  writer->body = WR_NO_HANDLE;
  if (ret[0] != 0) {
    wr__error_code(ret + 8, err);
    return -1;
  }
  return 0;
}

void wr__writer_abort(struct wr_body_writer *writer) {
  if (writer->stream != WR_NO_HANDLE) {
    wr_abi_output_stream_drop(writer->stream);
    writer->stream = WR_NO_HANDLE;
  }
  if (writer->body != WR_NO_HANDLE) {
    wr_abi_outgoing_body_drop(writer->body);
    writer->body = WR_NO_HANDLE;
  }
}
