/*
 * pb: the few protobuf wire-format pieces the ecommerce modules need, written by hand (varints,
 * int32/int64/bool fields, length-delimited strings and sub-messages). Every read is bounds-checked
 * against the message's length; nothing is allocated.
 *
 * Reading:
 *     pb_reader_t r = pb_reader(body, len);
 *     pb_field_t f;
 *     while (pb_next(&r, &f)) {
 *       if (f.number == 1 && f.wire == PB_LEN) ... f.data, f.len ...
 *       if (f.number == 2 && f.wire == PB_VARINT) ... f.varint ...
 *     }
 *     if (r.error != NULL) ... malformed: r.error says why ...
 *
 * Writing into a fixed buffer: pb_writer_t w = pb_writer(buf, cap); pb_put_string(&w, 1, "x");
 * then w.overflow says whether it did not fit, w.len is the message's length.
 */
#ifndef ECOMMERCE_PB_H
#define ECOMMERCE_PB_H

#include <stddef.h>
#include <stdint.h>

enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

typedef struct pb_reader {
  const unsigned char *data;
  size_t len;
  size_t pos;
  /** Why the message is malformed (a static string), or NULL. */
  const char *error;
} pb_reader_t;

typedef struct pb_field {
  uint32_t number;
  int wire;
  /** The value of a PB_VARINT field (also PB_I64/PB_I32, little-endian). */
  uint64_t varint;
  /** The bytes of a PB_LEN field. */
  const unsigned char *data;
  size_t len;
} pb_field_t;

pb_reader_t pb_reader(const void *data, size_t len);

/** Reads the next field: 1, or 0 at the end of the message or on an error (then r->error). */
int pb_next(pb_reader_t *r, pb_field_t *field);

typedef struct pb_writer {
  unsigned char *buf;
  size_t cap;
  size_t len;
  /** Set once something did not fit; the writer then writes nothing more. */
  int overflow;
} pb_writer_t;

pb_writer_t pb_writer(void *buf, size_t cap);

/* Each writes one field; proto3 defaults (0, "", false) are skipped as protoc's encoders do. */
void pb_put_varint_field(pb_writer_t *w, uint32_t number, uint64_t value);
/** An int32 field: negative values take ten bytes, as the wire format says. */
void pb_put_int32(pb_writer_t *w, uint32_t number, int32_t value);
void pb_put_int64(pb_writer_t *w, uint32_t number, int64_t value);
void pb_put_bool(pb_writer_t *w, uint32_t number, int value);
void pb_put_bytes(pb_writer_t *w, uint32_t number, const void *data, size_t len);
void pb_put_string(pb_writer_t *w, uint32_t number, const char *text);

/**
 * A sub-message field: pb_begin reserves room for its length (as a 5-byte varint, so no bytes need
 * moving afterwards) and returns where it starts; pb_end writes the length.
 */
size_t pb_begin(pb_writer_t *w, uint32_t number);
void pb_end(pb_writer_t *w, size_t start);

#endif
