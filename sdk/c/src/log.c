/*
 * Logging to the module's stderr through wasi:cli/stderr (not libc stdio: the SDK's modules then
 * need nothing from wasi_snapshot_preview1 for logging).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "wasi_abi.h"

#define LINE_MAX_BYTES 1024
/* blocking-write-and-flush accepts at most 4096 bytes per call. */
#define WRITE_CHUNK 4096

static int32_t stderr_stream = WR_NO_HANDLE;

void wr_log(wr_log_level_t level, const char *format, ...) {
  static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  char line[LINE_MAX_BYTES + 1];
  int prefix = snprintf(line, sizeof line, "%s ",
                        (unsigned)level < 4 ? names[level] : names[WR_INFO]);
  va_list args;
  va_start(args, format);
  int body = vsnprintf(line + prefix, sizeof line - (size_t)prefix - 1, format, args);
  va_end(args);
  size_t len = (size_t)prefix + (body < 0 ? 0 : (size_t)body);
  if (len > sizeof line - 2) {
    len = sizeof line - 2; /* truncated */
  }
  line[len++] = '\n';

  if (stderr_stream == WR_NO_HANDLE) {
    stderr_stream = wr_abi_get_stderr();
  }
  for (size_t off = 0; off < len; off += WRITE_CHUNK) {
    size_t n = len - off < WRITE_CHUNK ? len - off : WRITE_CHUNK;
    _Alignas(4) uint8_t ret[12];
    wr_abi_output_stream_blocking_write_and_flush(stderr_stream, (const uint8_t *)line + off,
                                                  (int32_t)n, ret);
    if (ret[0] != 0) {
      if (ret[4] == 0) {
        wr_abi_error_drop(*(const int32_t *)(ret + 8));
      }
      return; /* nowhere left to report a logging failure */
    }
  }
}
