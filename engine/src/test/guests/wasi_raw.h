/*
 * Raw wasi 0.2 imports as a core module sees them (Canonical ABI lowering), declared by hand
 * rather than through an SDK: the test guests prove that modules not written against the
 * wruntime SDK link and run. Return areas are read at their ABI offsets (see ret_* below).
 */
#ifndef WASI_RAW_H
#define WASI_RAW_H

#include <stddef.h>
#include <stdint.h>

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

/* A return area: the largest used here is 16 bytes, aligned to 8. */
typedef struct {
  _Alignas(8) uint8_t b[16];
} ret_area;

static inline uint8_t ret_u8(const ret_area *r, int at) { return r->b[at]; }
static inline int32_t ret_i32(const ret_area *r, int at) { return *(const int32_t *)(r->b + at); }
static inline uint64_t ret_u64(const ret_area *r, int at) { return *(const uint64_t *)(r->b + at); }

/* wasi:io/error */
IMPORT("wasi:io/error@0.2.0", "[method]error.to-debug-string")
void io_error_to_debug_string(int32_t self, ret_area *ret);
IMPORT("wasi:io/error@0.2.0", "[resource-drop]error")
void io_error_drop(int32_t self);

/* wasi:io/poll */
IMPORT("wasi:io/poll@0.2.0", "[method]pollable.ready")
int32_t io_pollable_ready(int32_t self);
IMPORT("wasi:io/poll@0.2.0", "[method]pollable.block")
void io_pollable_block(int32_t self);
IMPORT("wasi:io/poll@0.2.0", "poll")
void io_poll(const int32_t *pollables, size_t len, ret_area *ret);
IMPORT("wasi:io/poll@0.2.0", "[resource-drop]pollable")
void io_pollable_drop(int32_t self);

/* wasi:io/streams: result<list<u8>,stream-error> [0]tag [4]ptr|err-case [8]len|err-handle;
 * result<u64,stream-error> [0]tag [8]value|err-case [12]err-handle;
 * result<_,stream-error> [0]tag [4]err-case [8]err-handle. */
IMPORT("wasi:io/streams@0.2.0", "[method]input-stream.read")
void io_input_read(int32_t self, uint64_t len, ret_area *ret);
IMPORT("wasi:io/streams@0.2.0", "[method]input-stream.blocking-read")
void io_input_blocking_read(int32_t self, uint64_t len, ret_area *ret);
IMPORT("wasi:io/streams@0.2.0", "[method]input-stream.skip")
void io_input_skip(int32_t self, uint64_t len, ret_area *ret);
IMPORT("wasi:io/streams@0.2.0", "[method]input-stream.subscribe")
int32_t io_input_subscribe(int32_t self);
IMPORT("wasi:io/streams@0.2.0", "[resource-drop]input-stream")
void io_input_drop(int32_t self);
IMPORT("wasi:io/streams@0.2.0", "[method]output-stream.check-write")
void io_output_check_write(int32_t self, ret_area *ret);
IMPORT("wasi:io/streams@0.2.0", "[method]output-stream.write")
void io_output_write(int32_t self, const uint8_t *ptr, size_t len, ret_area *ret);
IMPORT("wasi:io/streams@0.2.0", "[method]output-stream.blocking-write-and-flush")
void io_output_blocking_write_and_flush(int32_t self, const uint8_t *ptr, size_t len, ret_area *ret);
IMPORT("wasi:io/streams@0.2.0", "[method]output-stream.blocking-flush")
void io_output_blocking_flush(int32_t self, ret_area *ret);
IMPORT("wasi:io/streams@0.2.0", "[method]output-stream.blocking-splice")
void io_output_blocking_splice(int32_t self, int32_t src, uint64_t len, ret_area *ret);
IMPORT("wasi:io/streams@0.2.0", "[method]output-stream.subscribe")
int32_t io_output_subscribe(int32_t self);
IMPORT("wasi:io/streams@0.2.0", "[resource-drop]output-stream")
void io_output_drop(int32_t self);

/* wasi:clocks (a later patch version on purpose: every 0.2.x links) */
IMPORT("wasi:clocks/monotonic-clock@0.2.6", "now")
uint64_t clocks_monotonic_now(void);
IMPORT("wasi:clocks/monotonic-clock@0.2.6", "subscribe-duration")
int32_t clocks_subscribe_duration(uint64_t nanos);
IMPORT("wasi:clocks/monotonic-clock@0.2.6", "subscribe-instant")
int32_t clocks_subscribe_instant(uint64_t instant);
/* datetime: [0] u64 seconds, [8] u32 nanoseconds */
IMPORT("wasi:clocks/wall-clock@0.2.6", "now")
void clocks_wall_now(ret_area *ret);

/* wasi:random: list<u8> [0]ptr [4]len */
IMPORT("wasi:random/random@0.2.3", "get-random-bytes")
void random_get_bytes(uint64_t len, ret_area *ret);
IMPORT("wasi:random/random@0.2.3", "get-random-u64")
uint64_t random_get_u64(void);
IMPORT("wasi:random/insecure@0.2.3", "get-insecure-random-bytes")
void random_get_insecure_bytes(uint64_t len, ret_area *ret);
IMPORT("wasi:random/insecure-seed@0.2.3", "insecure-seed")
void random_insecure_seed(ret_area *ret);

/* wasi:cli */
IMPORT("wasi:cli/environment@0.2.0", "get-environment")
void cli_get_environment(ret_area *ret);
IMPORT("wasi:cli/environment@0.2.0", "get-arguments")
void cli_get_arguments(ret_area *ret);
IMPORT("wasi:cli/environment@0.2.0", "initial-cwd")
void cli_initial_cwd(ret_area *ret);
IMPORT("wasi:cli/stdout@0.2.0", "get-stdout")
int32_t cli_get_stdout(void);
IMPORT("wasi:cli/stderr@0.2.0", "get-stderr")
int32_t cli_get_stderr(void);
IMPORT("wasi:cli/stdin@0.2.0", "get-stdin")
int32_t cli_get_stdin(void);
IMPORT("wasi:cli/exit@0.2.0", "exit")
void cli_exit(int32_t status);
IMPORT("wasi:cli/terminal-stdout@0.2.0", "get-terminal-stdout")
void cli_get_terminal_stdout(ret_area *ret);

#endif
