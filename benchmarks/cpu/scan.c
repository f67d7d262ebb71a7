/*
 * A regex-like byte scanner: builds 512 KiB of text lines, then, n times, counts the lines that
 * match each of four patterns with a small backtracking matcher (literals, '.', classes such as
 * [a-z0-9], the repeats '*' and '+', anchors '^' and '$').
 */
#include "kernel.h"

#define TEXT_SIZE (512u * 1024)
#define MAX_NODES 32

static char text[TEXT_SIZE];

enum { REPEAT_ONE, REPEAT_STAR, REPEAT_PLUS };

typedef struct {
  uint32_t set[8]; /* the bytes this node accepts, one bit each */
  int repeat;
} node;

typedef struct {
  node nodes[MAX_NODES];
  int count;
  int anchored_start;
  int anchored_end;
} pattern;

static void accept(node *n, uint32_t c) { n->set[c >> 5] |= 1u << (c & 31); }

static int accepts(const node *n, uint8_t c) { return (n->set[c >> 5] >> (c & 31)) & 1; }

static int compile(const char *source, pattern *p) {
  p->count = 0;
  p->anchored_start = 0;
  p->anchored_end = 0;
  if (*source == '^') {
    p->anchored_start = 1;
    source++;
  }
  while (*source) {
    if (source[0] == '$' && source[1] == 0) {
      p->anchored_end = 1;
      break;
    }
    if (p->count == MAX_NODES) return 0;
    node *n = &p->nodes[p->count++];
    for (int i = 0; i < 8; i++) n->set[i] = 0;
    n->repeat = REPEAT_ONE;
    if (*source == '.') {
      for (uint32_t c = 0; c < 256; c++) {
        if (c != '\n') accept(n, c);
      }
      source++;
    } else if (*source == '[') {
      source++;
      while (*source && *source != ']') {
        uint8_t lo = (uint8_t)*source;
        uint8_t hi = lo;
        if (source[1] == '-' && source[2] && source[2] != ']') {
          hi = (uint8_t)source[2];
          source += 3;
        } else {
          source++;
        }
        for (uint32_t c = lo; c <= hi; c++) accept(n, c);
      }
      if (*source != ']') return 0;
      source++;
    } else {
      if (*source == '\\' && source[1]) source++;
      accept(n, (uint8_t)*source++);
    }
    if (*source == '*') {
      n->repeat = REPEAT_STAR;
      source++;
    } else if (*source == '+') {
      n->repeat = REPEAT_PLUS;
      source++;
    }
  }
  return 1;
}

static int match_here(const pattern *p, int k, const char *at, const char *end);

static int match_repeat(const pattern *p, int k, int minimum, const char *at, const char *end) {
  const node *n = &p->nodes[k];
  const char *run = at;
  while (run < end && accepts(n, (uint8_t)*run)) run++;
  /* Longest first, then back off, as a backtracking matcher does. */
  for (const char *stop = run; stop >= at + minimum; stop--) {
    if (match_here(p, k + 1, stop, end)) return 1;
  }
  return 0;
}

static int match_here(const pattern *p, int k, const char *at, const char *end) {
  for (; k < p->count; k++) {
    const node *n = &p->nodes[k];
    if (n->repeat != REPEAT_ONE) {
      return match_repeat(p, k, n->repeat == REPEAT_PLUS, at, end);
    }
    if (at >= end || !accepts(n, (uint8_t)*at)) return 0;
    at++;
  }
  return !p->anchored_end || at == end;
}

static int match_line(const pattern *p, const char *line, const char *end) {
  if (p->anchored_start) return match_here(p, 0, line, end);
  for (const char *at = line; at <= end; at++) {
    if (match_here(p, 0, at, end)) return 1;
  }
  return 0;
}

static void build_text(void) {
  static const char *words[] = {"error",  "warning", "info",    "user",   "admin", "request",
                                "failed", "timeout", "example", "wasm",   "proxy", "engine",
                                "module", "route",   "handler", "status", "ok",    "retry"};
  uint32_t seed = 3141592653u;
  uint32_t at = 0;
  while (at < TEXT_SIZE - 64) {
    uint32_t line_words = 4 + next_random(&seed) % 9;
    for (uint32_t w = 0; w < line_words && at < TEXT_SIZE - 64; w++) {
      uint32_t r = next_random(&seed);
      if (r % 11 == 0) {
        /* an address: user1234@host.example.com */
        const char *user = words[r % 18];
        while (*user) text[at++] = *user++;
        text[at++] = (char)('0' + r % 10);
        text[at++] = '@';
        const char *host = words[(r >> 8) % 18];
        while (*host) text[at++] = *host++;
        const char *tld = (r >> 16) % 3 ? ".com" : ".org";
        while (*tld) text[at++] = *tld++;
      } else if (r % 7 == 0) {
        uint32_t number = r >> 12;
        do {
          text[at++] = (char)('0' + number % 10);
          number /= 10;
        } while (number);
      } else {
        const char *word = words[r % 18];
        while (*word) text[at++] = *word++;
      }
      text[at++] = ' ';
    }
    text[at - 1] = '\n';
  }
  while (at < TEXT_SIZE) text[at++] = '\n';
}

static const char *const PATTERNS[] = {
    "[a-z]+[0-9]@[a-z]+\\.com",
    "^error.*timeout",
    "[0-9][0-9][0-9][0-9][0-9]+ ok$",
    "re.*y.*d",
};

KERNEL_EXPORT uint32_t run(uint32_t n) {
  build_text();
  pattern patterns[4];
  for (int i = 0; i < 4; i++) {
    if (!compile(PATTERNS[i], &patterns[i])) return 0;
  }
  uint32_t checksum = 0;
  for (uint32_t pass = 0; pass < n; pass++) {
    const pattern *p = &patterns[pass % 4];
    uint32_t matches = 0;
    const char *line = text;
    const char *end = text + TEXT_SIZE;
    while (line < end) {
      const char *eol = line;
      while (eol < end && *eol != '\n') eol++;
      if (eol > line && match_line(p, line, eol)) matches++;
      line = eol + 1;
    }
    checksum = checksum * 31 + matches;
  }
  return checksum;
}
