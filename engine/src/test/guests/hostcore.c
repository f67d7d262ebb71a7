/*
 * Test guest for the engine's wasi:io, wasi:clocks, wasi:random and wasi:cli host functions.
 * Each export is one scenario the Java tests drive with stream handles they put into the
 * instance beforehand; results come back as return values and through stdout lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cabi_realloc.h"
#include "wasi_raw.h"

/* Codes returned for stream outcomes. */
#define CLOSED (-1)
#define FAILED (-2)

/*
 * Frees a list the host returned. A zero-length list was never allocated (its pointer is just
 * the alignment, as wit-bindgen's cabi_realloc answers a zero-size request), so it is not freed.
 */
static void free_list(void *ptr, size_t len) {
  if (len > 0) {
    free(ptr);
  }
}

/* Not an HTTP handler: it returns without a response. */
EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(int32_t request, int32_t response_out) {
  (void)request;
  (void)response_out;
}

/* Writes a line through wasi:cli/stdout (not libc). */
static void out_line(const char *text) {
  int32_t out = cli_get_stdout();
  char line[512];
  size_t n = strlen(text);
  if (n > sizeof line - 1) {
    n = sizeof line - 1;
  }
  memcpy(line, text, n);
  line[n++] = '\n';
  ret_area r;
  io_output_blocking_write_and_flush(out, (const uint8_t *)line, n, &r);
  io_output_drop(out);
}

/* Logs the debug string of an error and drops it. */
static void report_error(const char *what, int32_t err) {
  ret_area r;
  io_error_to_debug_string(err, &r);
  char line[512];
  snprintf(line, sizeof line, "%s: %.*s", what, (int)ret_i32(&r, 4),
           (const char *)(uintptr_t)ret_i32(&r, 0));
  free_list((void *)(uintptr_t)ret_i32(&r, 0), (size_t)ret_i32(&r, 4));
  io_error_drop(err);
  out_line(line);
}

/* One non-blocking read: the number of bytes, CLOSED, or FAILED. */
EXPORT("read_once")
int32_t read_once(int32_t in, int32_t max) {
  ret_area r;
  io_input_read(in, (uint64_t)max, &r);
  if (ret_u8(&r, 0) == 0) {
    free_list((void *)(uintptr_t)ret_i32(&r, 4), (size_t)ret_i32(&r, 8));
    return ret_i32(&r, 8);
  }
  if (ret_u8(&r, 4) == 1) {
    return CLOSED;
  }
  report_error("read failed", ret_i32(&r, 8));
  return FAILED;
}

/* Waits for data on `in` with subscribe + block, then reads: bytes, CLOSED or FAILED. */
EXPORT("read_after_block")
int32_t read_after_block(int32_t in) {
  int32_t p = io_input_subscribe(in);
  io_pollable_block(p);
  io_pollable_drop(p);
  return read_once(in, 65536);
}

/*
 * Copies `in` to `out` until `in` ends: blocking-read in pieces of up to `chunk` bytes, each
 * written with check-write/write, waiting on the output's pollable whenever it has no room.
 * Returns the bytes copied, or FAILED.
 */
EXPORT("copy")
int64_t copy(int32_t in, int32_t out, int32_t chunk) {
  int64_t total = 0;
  int32_t writable = io_output_subscribe(out);
  for (;;) {
    ret_area r;
    io_input_blocking_read(in, (uint64_t)chunk, &r);
    if (ret_u8(&r, 0) != 0) {
      if (ret_u8(&r, 4) == 1) {
        break;
      }
      report_error("copy read failed", ret_i32(&r, 8));
      return FAILED;
    }
    uint8_t *data = (uint8_t *)(uintptr_t)ret_i32(&r, 4);
    size_t len = (size_t)ret_i32(&r, 8);
    size_t done = 0;
    while (done < len) {
      ret_area c;
      io_output_check_write(out, &c);
      if (ret_u8(&c, 0) != 0) {
        free_list(data, len);
        if (ret_u8(&c, 8) == 0) {
          report_error("check-write failed", ret_i32(&c, 12));
        }
        return FAILED;
      }
      uint64_t permit = ret_u64(&c, 8);
      if (permit == 0) {
        io_pollable_block(writable);
        continue;
      }
      size_t n = len - done < permit ? len - done : (size_t)permit;
      ret_area w;
      io_output_write(out, data + done, n, &w);
      if (ret_u8(&w, 0) != 0) {
        free_list(data, len);
        if (ret_u8(&w, 4) == 0) {
          report_error("write failed", ret_i32(&w, 8));
        }
        return FAILED;
      }
      done += n;
      total += (int64_t)n;
    }
    free_list(data, len);
  }
  io_pollable_drop(writable);
  return total;
}

/* Moves `in` to `out` with blocking-splice until `in` ends: the bytes moved, or FAILED. */
EXPORT("splice_all")
int64_t splice_all(int32_t in, int32_t out) {
  int64_t total = 0;
  for (;;) {
    ret_area r;
    io_output_blocking_splice(out, in, 1000, &r);
    if (ret_u8(&r, 0) != 0) {
      return ret_u8(&r, 8) == 1 ? total : FAILED;
    }
    total += (int64_t)ret_u64(&r, 8);
  }
}

/* skip(n) once: the bytes skipped, CLOSED, or FAILED. */
EXPORT("skip_once")
int64_t skip_once(int32_t in, int64_t n) {
  ret_area r;
  io_input_skip(in, (uint64_t)n, &r);
  if (ret_u8(&r, 0) == 0) {
    return (int64_t)ret_u64(&r, 8);
  }
  return ret_u8(&r, 8) == 1 ? CLOSED : FAILED;
}

/* Whether the input stream's pollable is ready now (1) or not (0). */
EXPORT("ready_now")
int32_t ready_now(int32_t in) {
  int32_t p = io_input_subscribe(in);
  int32_t ready = io_pollable_ready(p);
  io_pollable_drop(p);
  return ready;
}

/* Writes `len` bytes ('a'..'z' repeating) with blocking-write-and-flush: 0 or FAILED. */
EXPORT("write_blocking")
int32_t write_blocking(int32_t out, int32_t len, int32_t piece) {
  static uint8_t buf[8192];
  for (int i = 0; i < (int)sizeof buf; i++) {
    buf[i] = (uint8_t)('a' + i % 26);
  }
  int32_t done = 0;
  while (done < len) {
    int32_t n = len - done < piece ? len - done : piece;
    ret_area r;
    io_output_blocking_write_and_flush(out, buf + (done % 26), (size_t)n, &r);
    if (ret_u8(&r, 0) != 0) {
      if (ret_u8(&r, 4) == 0) {
        report_error("blocking write failed", ret_i32(&r, 8));
      }
      return FAILED;
    }
    done += n;
  }
  return 0;
}

/* Writes one byte more than check-write permits: 0 if that failed as it should. */
EXPORT("write_beyond_permit")
int32_t write_beyond_permit(int32_t out) {
  ret_area c;
  io_output_check_write(out, &c);
  if (ret_u8(&c, 0) != 0) {
    return FAILED;
  }
  size_t n = (size_t)ret_u64(&c, 8) + 1;
  uint8_t *data = calloc(n, 1);
  ret_area w;
  io_output_write(out, data, n, &w);
  free(data);
  if (ret_u8(&w, 0) == 0 || ret_u8(&w, 4) != 0) {
    return 1;
  }
  report_error("write beyond permit", ret_i32(&w, 8));
  /* The stream is closed from now on. */
  io_output_check_write(out, &c);
  return ret_u8(&c, 0) == 1 && ret_u8(&c, 8) == 1 ? 0 : 2;
}

/* Polls the input streams `a` and `b`: the index of the first ready one reported. */
EXPORT("poll_two")
int32_t poll_two(int32_t a, int32_t b) {
  int32_t pollables[2] = {io_input_subscribe(a), io_input_subscribe(b)};
  ret_area r;
  io_poll(pollables, 2, &r);
  uint32_t *ready = (uint32_t *)(uintptr_t)ret_i32(&r, 0);
  int32_t count = ret_i32(&r, 4);
  int32_t first = count > 0 ? (int32_t)ready[0] : -1;
  free_list(ready, (size_t)count);
  io_pollable_drop(pollables[0]);
  io_pollable_drop(pollables[1]);
  return count == 1 ? first : -10 - count;
}

/*
 * Polls the input stream `in` and a timer of `millis`: returns 1 when the timer fired first
 * (after at least `millis` by the monotonic clock), 0 when the stream was ready, -1 otherwise.
 */
EXPORT("poll_deadline")
int32_t poll_deadline(int32_t in, int32_t millis) {
  uint64_t start = clocks_monotonic_now();
  int32_t pollables[2] = {io_input_subscribe(in),
                          clocks_subscribe_duration((uint64_t)millis * 1000000u)};
  ret_area r;
  io_poll(pollables, 2, &r);
  uint32_t *ready = (uint32_t *)(uintptr_t)ret_i32(&r, 0);
  int32_t count = ret_i32(&r, 4);
  int32_t which = count > 0 ? (int32_t)ready[0] : -1;
  free_list(ready, (size_t)count);
  uint64_t elapsed = clocks_monotonic_now() - start;
  io_pollable_drop(pollables[0]);
  io_pollable_drop(pollables[1]);
  if (which == 1 && elapsed >= (uint64_t)millis * 1000000u) {
    return 1;
  }
  return which == 0 ? 0 : -1;
}

/* Blocks on a monotonic instant `millis` from now: the elapsed nanoseconds. */
EXPORT("sleep_until")
int64_t sleep_until(int32_t millis) {
  uint64_t start = clocks_monotonic_now();
  int32_t p = clocks_subscribe_instant(start + (uint64_t)millis * 1000000u);
  io_pollable_block(p);
  io_pollable_drop(p);
  return (int64_t)(clocks_monotonic_now() - start);
}

/* get-random-bytes(len) (secure, or insecure when `insecure`): the length returned. */
EXPORT("random_bytes")
int32_t random_bytes(int32_t len, int32_t insecure) {
  ret_area r;
  if (insecure) {
    random_get_insecure_bytes((uint64_t)len, &r);
  } else {
    random_get_bytes((uint64_t)len, &r);
  }
  int32_t n = ret_i32(&r, 4);
  free_list((void *)(uintptr_t)ret_i32(&r, 0), (size_t)n);
  return n;
}

/* Two get-random-u64 calls differ, and the insecure seed is stable within the instance. */
EXPORT("random_values")
int32_t random_values(void) {
  uint64_t a = random_get_u64();
  uint64_t b = random_get_u64();
  ret_area s1, s2;
  random_insecure_seed(&s1);
  random_insecure_seed(&s2);
  int same_seed = ret_u64(&s1, 0) == ret_u64(&s2, 0) && ret_u64(&s1, 8) == ret_u64(&s2, 8);
  return (a != b) && same_seed ? 0 : 1;
}

/* Prints the environment as `env NAME=VALUE` lines, then the argument count and cwd. */
EXPORT("print_environment")
int32_t print_environment(void) {
  ret_area r;
  cli_get_environment(&r);
  int32_t *entries = (int32_t *)(uintptr_t)ret_i32(&r, 0);
  int32_t count = ret_i32(&r, 4);
  for (int32_t i = 0; i < count; i++) {
    char line[512];
    snprintf(line, sizeof line, "env %.*s=%.*s", (int)entries[4 * i + 1],
             (const char *)(uintptr_t)entries[4 * i], (int)entries[4 * i + 3],
             (const char *)(uintptr_t)entries[4 * i + 2]);
    out_line(line);
  }
  ret_area a;
  cli_get_arguments(&a);
  ret_area cwd;
  cli_initial_cwd(&cwd);
  ret_area term;
  cli_get_terminal_stdout(&term);
  char line[128];
  snprintf(line, sizeof line, "args %d cwd %s terminal %s", (int)ret_i32(&a, 4),
           ret_u8(&cwd, 0) == 0 ? "none" : "some", ret_u8(&term, 0) == 0 ? "none" : "some");
  out_line(line);
  /* libc's getenv reads the same environment through WASI preview 1. */
  const char *greeting = getenv("GREETING");
  printf("libc GREETING=%s\n", greeting ? greeting : "(unset)");
  fflush(stdout);
  return count;
}

/* The monotonic clock never goes back, and the wall clock is past 2023: 0 when both hold. */
EXPORT("clocks")
int32_t clocks(void) {
  uint64_t previous = clocks_monotonic_now();
  for (int i = 0; i < 1000; i++) {
    uint64_t now = clocks_monotonic_now();
    if (now < previous) {
      return 1;
    }
    previous = now;
  }
  ret_area r;
  clocks_wall_now(&r);
  if (ret_u64(&r, 0) < 1700000000u || (uint32_t)ret_i32(&r, 8) >= 1000000000u) {
    return 2;
  }
  return 0;
}

/* Output through both paths: libc (WASI preview 1) and wasi:cli/stdout and stderr. */
EXPORT("hello")
void hello(void) {
  printf("hello from libc\n");
  fflush(stdout);
  out_line("hello from wasi:cli/stdout");
  int32_t err = cli_get_stderr();
  ret_area r;
  io_output_blocking_write_and_flush(err, (const uint8_t *)"to stderr\npartial", 17, &r);
  io_output_drop(err);
}

/* Reads stdin, which is always empty: CLOSED. */
EXPORT("read_stdin")
int32_t read_stdin(void) {
  int32_t in = cli_get_stdin();
  int32_t result = read_once(in, 100);
  io_input_drop(in);
  return result;
}

/* Passes write a pointer far outside memory. */
EXPORT("bad_pointer")
void bad_pointer(void) {
  int32_t out = cli_get_stdout();
  ret_area r;
  io_output_write(out, (const uint8_t *)(uintptr_t)0xFFFFFF00u, 16, &r);
}

/* Uses a handle that was never handed out. */
EXPORT("bad_handle")
void bad_handle(void) {
  int32_t p = 4242;
  io_pollable_block(p);
}

EXPORT("trap")
void trap(void) {
  __builtin_trap();
}

/* Says it started, then loops forever. */
EXPORT("spin")
int32_t spin(void) {
  out_line("spinning");
  volatile uint64_t n = 0;
  for (;;) {
    n++;
  }
  return (int32_t)n;
}

/* Blocks forever on an input stream nobody writes to (the test's deadline interrupts it). */
EXPORT("block_forever")
int32_t block_forever(int32_t in) {
  out_line("blocking");
  ret_area r;
  io_input_blocking_read(in, 10, &r);
  return 0;
}

/* memory.grow by `pages`: the previous size in pages, or -1 when refused. */
EXPORT("grow")
int32_t grow(int32_t pages) {
  return (int32_t)__builtin_wasm_memory_grow(0, (size_t)pages);
}

/* Allocates `megabytes` MiB, touching every page; traps (abort) when malloc fails. */
EXPORT("allocate")
int32_t allocate(int32_t megabytes) {
  size_t n = (size_t)megabytes * 1024 * 1024;
  /* volatile: the compiler may not elide an allocation the test depends on. */
  volatile uint8_t *p = malloc(n);
  if (p == NULL) {
    abort();
  }
  int32_t sum = 0;
  for (size_t i = 0; i < n; i += 4096) {
    p[i] = 1;
    sum += p[i];
  }
  free((void *)p);
  return sum == (int32_t)(n / 4096) ? 0 : 1;
}

/* Recurses without end: the call stack is exhausted. */
EXPORT("recurse")
int32_t recurse(int32_t n) {
  volatile int32_t local = n;
  if (local < 0) {
    return 0;
  }
  return recurse(local + 1) + local;
}

/* Calls wasi:cli/exit. */
EXPORT("exit_now")
void exit_now(void) {
  cli_exit(0);
}
