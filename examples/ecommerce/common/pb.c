#include "pb.h"

#include <string.h>

pb_reader_t pb_reader(const void *data, size_t len) {
  pb_reader_t r = {data, len, 0, NULL};
  return r;
}

static int read_varint(pb_reader_t *r, uint64_t *out) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (r->pos >= r->len) {
      r->error = "truncated varint";
      return 0;
    }
    unsigned char byte = r->data[r->pos++];
    value |= (uint64_t)(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *out = value;
      return 1;
    }
  }
  r->error = "varint longer than 10 bytes";
  return 0;
}

static int read_fixed(pb_reader_t *r, size_t size, uint64_t *out) {
  if (r->len - r->pos < size) {
    r->error = "truncated fixed-size field";
    return 0;
  }
  uint64_t value = 0;
  for (size_t i = 0; i < size; i++) {
    value |= (uint64_t)r->data[r->pos + i] << (8 * i);
  }
  r->pos += size;
  *out = value;
  return 1;
}

int pb_next(pb_reader_t *r, pb_field_t *field) {
  if (r->error != NULL || r->pos >= r->len) {
    return 0;
  }
  uint64_t key;
  if (!read_varint(r, &key)) {
    return 0;
  }
  if (key >> 3 == 0 || key >> 3 > 0x1fffffff) {
    r->error = "field number out of range";
    return 0;
  }
  memset(field, 0, sizeof *field);
  field->number = (uint32_t)(key >> 3);
  field->wire = (int)(key & 7);
  switch (field->wire) {
    case PB_VARINT:
      return read_varint(r, &field->varint);
    case PB_I64:
      return read_fixed(r, 8, &field->varint);
    case PB_I32:
      return read_fixed(r, 4, &field->varint);
    case PB_LEN: {
      uint64_t len;
      if (!read_varint(r, &len)) {
        return 0;
      }
      if (len > r->len - r->pos) {
        r->error = "length-delimited field runs past the end of the message";
        return 0;
      }
      field->data = r->data + r->pos;
      field->len = (size_t)len;
      r->pos += (size_t)len;
      return 1;
    }
    default:
      r->error = "unsupported wire type (groups are not used by these messages)";
      return 0;
  }
}

pb_writer_t pb_writer(void *buf, size_t cap) {
  pb_writer_t w = {buf, cap, 0, 0};
  return w;
}

static void put_raw(pb_writer_t *w, const void *data, size_t len) {
  if (w->overflow || w->cap - w->len < len) {
    w->overflow = 1;
    return;
  }
  memcpy(w->buf + w->len, data, len);
  w->len += len;
}

static void put_varint(pb_writer_t *w, uint64_t value) {
  unsigned char bytes[10];
  size_t n = 0;
  do {
    unsigned char byte = value & 0x7f;
    value >>= 7;
    bytes[n++] = value != 0 ? (unsigned char)(byte | 0x80) : byte;
  } while (value != 0);
  put_raw(w, bytes, n);
}

static void put_key(pb_writer_t *w, uint32_t number, int wire) {
  put_varint(w, ((uint64_t)number << 3) | (uint64_t)wire);
}

void pb_put_varint_field(pb_writer_t *w, uint32_t number, uint64_t value) {
  if (value == 0) {
    return;
  }
  put_key(w, number, PB_VARINT);
  put_varint(w, value);
}

void pb_put_int32(pb_writer_t *w, uint32_t number, int32_t value) {
  /* int32 is sign-extended to 64 bits on the wire. */
  pb_put_varint_field(w, number, (uint64_t)(int64_t)value);
}

void pb_put_int64(pb_writer_t *w, uint32_t number, int64_t value) {
  pb_put_varint_field(w, number, (uint64_t)value);
}

void pb_put_bool(pb_writer_t *w, uint32_t number, int value) {
  pb_put_varint_field(w, number, value ? 1 : 0);
}

void pb_put_bytes(pb_writer_t *w, uint32_t number, const void *data, size_t len) {
  if (len == 0) {
    return;
  }
  put_key(w, number, PB_LEN);
  put_varint(w, len);
  put_raw(w, data, len);
}

void pb_put_string(pb_writer_t *w, uint32_t number, const char *text) {
  pb_put_bytes(w, number, text, strlen(text));
}

size_t pb_begin(pb_writer_t *w, uint32_t number) {
  put_key(w, number, PB_LEN);
  static const unsigned char placeholder[5] = {0x80, 0x80, 0x80, 0x80, 0x00};
  put_raw(w, placeholder, sizeof placeholder);
  return w->len;
}

void pb_end(pb_writer_t *w, size_t start) {
  if (w->overflow) {
    return;
  }
  size_t len = w->len - start;
  if (len > 0x0fffffff) {
    w->overflow = 1;
    return;
  }
  /* A 5-byte varint, padded with continuation bits: valid for any length below 2^28. */
  unsigned char *at = w->buf + start - 5;
  for (int i = 0; i < 4; i++) {
    at[i] = (unsigned char)(((len >> (7 * i)) & 0x7f) | 0x80);
  }
  at[4] = (unsigned char)((len >> 28) & 0x7f);
}
