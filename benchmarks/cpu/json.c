/*
 * JSON parse: builds a 208 KiB document of nested objects, arrays, strings (with escapes),
 * integers, decimals, booleans and nulls, then parses and checks it n times with a
 * recursive-descent parser that folds every value into a checksum.
 */
#include "kernel.h"

#define DOCUMENT_CAPACITY (320u * 1024)
#define RECORDS 1500

static char document[DOCUMENT_CAPACITY];
static uint32_t document_length;

static void put_char(char c) { document[document_length++] = c; }

static void put_text(const char *s) {
  while (*s) {
    put_char(*s++);
  }
}

static void put_uint(uint32_t v) {
  char digits[10];
  int count = 0;
  do {
    digits[count++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (count) {
    put_char(digits[--count]);
  }
}

static void put_word(uint32_t *seed) {
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
  uint32_t length = 3 + next_random(seed) % 10;
  put_char('"');
  for (uint32_t i = 0; i < length; i++) {
    uint32_t r = next_random(seed);
    if (r % 17 == 0) {
      put_text("\\n");
    } else if (r % 23 == 0) {
      put_text("\\u00e9");
    } else {
      put_char(letters[r % 26]);
    }
  }
  put_char('"');
}

static void build_document(void) {
  uint32_t seed = 2463534242u;
  document_length = 0;
  put_char('[');
  for (uint32_t i = 0; i < RECORDS; i++) {
    if (i) {
      put_char(',');
    }
    put_text("{\"id\":");
    put_uint(i);
    put_text(",\"name\":");
    put_word(&seed);
    put_text(",\"price\":");
    put_uint(next_random(&seed) % 10000);
    put_char('.');
    put_uint(10 + next_random(&seed) % 90);
    put_text(",\"active\":");
    put_text(next_random(&seed) % 2 ? "true" : "false");
    put_text(",\"tags\":[");
    uint32_t tags = next_random(&seed) % 5;
    for (uint32_t t = 0; t < tags; t++) {
      if (t) {
        put_char(',');
      }
      put_word(&seed);
    }
    put_text("],\"owner\":{\"ref\":");
    put_uint(next_random(&seed) % 100000);
    put_text(",\"note\":null,\"score\":-");
    put_uint(next_random(&seed) % 1000);
    put_text("}}");
  }
  put_char(']');
}

typedef struct {
  const char *at;
  const char *end;
  uint32_t sum;
  int failed;
} parser;

static void fail(parser *p) {
  p->failed = 1;
  p->at = p->end;
}

static void skip_space(parser *p) {
  while (p->at < p->end && (*p->at == ' ' || *p->at == '\n' || *p->at == '\t' || *p->at == '\r')) {
    p->at++;
  }
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void parse_string(parser *p) {
  uint32_t hash = 2166136261u;
  p->at++;
  while (p->at < p->end && *p->at != '"') {
    uint32_t c = (uint8_t)*p->at++;
    if (c == '\\') {
      if (p->at >= p->end) return fail(p);
      char e = *p->at++;
      switch (e) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case '"': case '\\': case '/': c = (uint8_t)e; break;
        case 'u': {
          if (p->end - p->at < 4) return fail(p);
          c = 0;
          for (int i = 0; i < 4; i++) {
            int h = hex_value(*p->at++);
            if (h < 0) return fail(p);
            c = c << 4 | (uint32_t)h;
          }
          break;
        }
        default: return fail(p);
      }
    }
    hash = (hash ^ c) * 16777619u;
  }
  if (p->at >= p->end) return fail(p);
  p->at++;
  p->sum = p->sum * 31 + hash;
}

static void parse_number(parser *p) {
  int negative = 0;
  if (*p->at == '-') {
    negative = 1;
    p->at++;
  }
  uint32_t value = 0, digits = 0;
  while (p->at < p->end && *p->at >= '0' && *p->at <= '9') {
    value = value * 10 + (uint32_t)(*p->at++ - '0');
    digits++;
  }
  if (p->at < p->end && *p->at == '.') {
    p->at++;
    while (p->at < p->end && *p->at >= '0' && *p->at <= '9') {
      value = value * 10 + (uint32_t)(*p->at++ - '0');
      digits++;
    }
  }
  if (!digits) return fail(p);
  p->sum += negative ? 0u - value : value;
}

static int literal(parser *p, const char *word) {
  while (*word) {
    if (p->at >= p->end || *p->at != *word) return 0;
    p->at++;
    word++;
  }
  return 1;
}

static void parse_value(parser *p, int depth);

static void parse_object(parser *p, int depth) {
  p->at++;
  skip_space(p);
  if (p->at < p->end && *p->at == '}') {
    p->at++;
    return;
  }
  for (;;) {
    skip_space(p);
    if (p->at >= p->end || *p->at != '"') return fail(p);
    parse_string(p);
    skip_space(p);
    if (p->at >= p->end || *p->at++ != ':') return fail(p);
    parse_value(p, depth + 1);
    skip_space(p);
    if (p->at >= p->end) return fail(p);
    char c = *p->at++;
    if (c == '}') return;
    if (c != ',') return fail(p);
  }
}

static void parse_array(parser *p, int depth) {
  p->at++;
  skip_space(p);
  if (p->at < p->end && *p->at == ']') {
    p->at++;
    return;
  }
  for (;;) {
    parse_value(p, depth + 1);
    skip_space(p);
    if (p->at >= p->end) return fail(p);
    char c = *p->at++;
    if (c == ']') return;
    if (c != ',') return fail(p);
  }
}

static void parse_value(parser *p, int depth) {
  skip_space(p);
  if (p->at >= p->end || depth > 64) return fail(p);
  switch (*p->at) {
    case '{': parse_object(p, depth); break;
    case '[': parse_array(p, depth); break;
    case '"': parse_string(p); break;
    case 't': if (!literal(p, "true")) fail(p); else p->sum += 1; break;
    case 'f': if (!literal(p, "false")) fail(p); else p->sum += 2; break;
    case 'n': if (!literal(p, "null")) fail(p); else p->sum += 3; break;
    default: parse_number(p); break;
  }
}

KERNEL_EXPORT uint32_t run(uint32_t n) {
  build_document();
  uint32_t checksum = document_length;
  for (uint32_t pass = 0; pass < n; pass++) {
    parser p = {document, document + document_length, pass, 0};
    parse_value(&p, 0);
    skip_space(&p);
    if (p.failed || p.at != p.end) return 0;
    checksum ^= p.sum;
  }
  return checksum;
}
