/*
 * The raw wasi:http 0.2 / wasi:io 0.2 / wasi:cli 0.2 imports, lowered by the Canonical ABI onto a
 * core module, exactly as wit-bindgen lowers them for wasm32 before componentization.
 *
 * Conventions (wasm32):
 *   - every resource (own or borrow) is an i32 handle;
 *   - string / list<T> is two i32 flat values (pointer, length);
 *   - option<T>, result<T, E> and variants are a discriminant followed by the joined flat payload;
 *   - a function whose results flatten to more than one value takes a trailing i32 pointer to a
 *     return area that the callee fills; in memory a discriminant is a u8 at offset 0 and the
 *     payload starts at the payload's alignment (4, or 8 when it holds a u64);
 *   - strings and lists the host returns live in memory it obtained from our cabi_realloc export;
 *     the caller owns and frees them.
 *
 * The return-area layouts the SDK reads are spelled out next to each import. Internal header:
 * not part of the SDK's public API.
 */
#ifndef WRUNTIME_WASI_ABI_H
#define WRUNTIME_WASI_ABI_H

#include <stdint.h>

#define WR_IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

#define WR_HTTP_TYPES "wasi:http/types@0.2.0"
#define WR_HTTP_OUTGOING "wasi:http/outgoing-handler@0.2.0"
#define WR_IO_STREAMS "wasi:io/streams@0.2.0"
#define WR_IO_POLL "wasi:io/poll@0.2.0"
#define WR_IO_ERROR "wasi:io/error@0.2.0"
#define WR_CLI_STDERR "wasi:cli/stderr@0.2.0"

/* ---- wasi:http/types: fields ------------------------------------------------------------- */

/* constructor() -> own<fields> */
WR_IMPORT(WR_HTTP_TYPES, "[constructor]fields")
int32_t wr_abi_fields_new(void);

/*
 * append(self, name: string, value: list<u8>) -> result<_, header-error>
 * Return area: 2 bytes, align 1. [0] u8 result discriminant (0 ok, 1 err);
 * [1] u8 header-error (0 invalid-syntax, 1 forbidden, 2 immutable).
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]fields.append")
void wr_abi_fields_append(int32_t self, const char *name, int32_t name_len, const uint8_t *value,
                          int32_t value_len, uint8_t *ret);

/*
 * get(self, name: string) -> list<list<u8>>
 * Return area: 8 bytes, align 4. [0] i32 pointer to the elements, [4] i32 element count.
 * Each element is 8 bytes: [0] i32 pointer to the value bytes, [4] i32 length.
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]fields.get")
void wr_abi_fields_get(int32_t self, const char *name, int32_t name_len, uint8_t *ret);

WR_IMPORT(WR_HTTP_TYPES, "[resource-drop]fields")
void wr_abi_fields_drop(int32_t self);

/* ---- wasi:http/types: incoming-request --------------------------------------------------- */

/*
 * method(self) -> method
 * Return area: 12 bytes, align 4. [0] u8 case (0 get, 1 head, 2 post, 3 put, 4 delete, 5 connect,
 * 6 options, 7 trace, 8 patch, 9 other); for other: [4] i32 string pointer, [8] i32 length.
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]incoming-request.method")
void wr_abi_incoming_request_method(int32_t self, uint8_t *ret);

/*
 * path-with-query(self) -> option<string>
 * Return area: 12 bytes, align 4. [0] u8 (0 none, 1 some); [4] i32 pointer, [8] i32 length.
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]incoming-request.path-with-query")
void wr_abi_incoming_request_path_with_query(int32_t self, uint8_t *ret);

/* headers(self) -> own<headers> (a child: dropped before the request) */
WR_IMPORT(WR_HTTP_TYPES, "[method]incoming-request.headers")
int32_t wr_abi_incoming_request_headers(int32_t self);

/*
 * consume(self) -> result<own<incoming-body>>
 * Return area: 8 bytes, align 4. [0] u8 (0 ok, 1 err); [4] i32 incoming-body handle.
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]incoming-request.consume")
void wr_abi_incoming_request_consume(int32_t self, uint8_t *ret);

WR_IMPORT(WR_HTTP_TYPES, "[resource-drop]incoming-request")
void wr_abi_incoming_request_drop(int32_t self);

/* ---- wasi:http/types: incoming-body ------------------------------------------------------ */

/*
 * stream(self) -> result<own<input-stream>>
 * Return area: 8 bytes, align 4. [0] u8 (0 ok, 1 err); [4] i32 input-stream handle.
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]incoming-body.stream")
void wr_abi_incoming_body_stream(int32_t self, uint8_t *ret);

WR_IMPORT(WR_HTTP_TYPES, "[resource-drop]incoming-body")
void wr_abi_incoming_body_drop(int32_t self);

/* ---- wasi:http/types: outgoing-response / outgoing-body / response-outparam -------------- */

/* constructor(headers: own<headers>) -> own<outgoing-response>; the headers move into it. */
WR_IMPORT(WR_HTTP_TYPES, "[constructor]outgoing-response")
int32_t wr_abi_outgoing_response_new(int32_t headers);

/* set-status-code(self, status-code: u16) -> result (flat: one i32, 0 ok, 1 err) */
WR_IMPORT(WR_HTTP_TYPES, "[method]outgoing-response.set-status-code")
int32_t wr_abi_outgoing_response_set_status_code(int32_t self, int32_t status);

/*
 * body(self) -> result<own<outgoing-body>>
 * Return area: 8 bytes, align 4. [0] u8 (0 ok, 1 err); [4] i32 outgoing-body handle.
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]outgoing-response.body")
void wr_abi_outgoing_response_body(int32_t self, uint8_t *ret);

WR_IMPORT(WR_HTTP_TYPES, "[resource-drop]outgoing-response")
void wr_abi_outgoing_response_drop(int32_t self);

/*
 * write(self) -> result<own<output-stream>>
 * Return area: 8 bytes, align 4. [0] u8 (0 ok, 1 err); [4] i32 output-stream handle.
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]outgoing-body.write")
void wr_abi_outgoing_body_write(int32_t self, uint8_t *ret);

/*
 * finish(this: own<outgoing-body>, trailers: option<own<trailers>>) -> result<_, error-code>
 * Flat params: this, option discriminant, trailers handle, return-area pointer.
 * Return area: 40 bytes, align 8. [0] u8 (0 ok, 1 err); [8] error-code (see wr_error_code_decode).
 */
WR_IMPORT(WR_HTTP_TYPES, "[static]outgoing-body.finish")
void wr_abi_outgoing_body_finish(int32_t self, int32_t has_trailers, int32_t trailers,
                                 uint8_t *ret);

WR_IMPORT(WR_HTTP_TYPES, "[resource-drop]outgoing-body")
void wr_abi_outgoing_body_drop(int32_t self);

/*
 * set(param: own<response-outparam>, response: result<own<outgoing-response>, error-code>)
 * Flat params (9): param; result discriminant (0 ok, 1 err); then the result payload, which is
 * the position-wise join of own<outgoing-response> ([i32]) and error-code ([i32 case, i32, i64,
 * i32, i32, i32, i32]): p0 i32, p1 i32, p2 i64, p3..p6 i32. For ok, p0 is the outgoing-response
 * handle and the rest are zero. The SDK only ever sends ok.
 */
WR_IMPORT(WR_HTTP_TYPES, "[static]response-outparam.set")
void wr_abi_response_outparam_set(int32_t param, int32_t is_err, int32_t p0, int32_t p1,
                                  int64_t p2, int32_t p3, int32_t p4, int32_t p5, int32_t p6);

/* ---- wasi:http/types: outgoing-request --------------------------------------------------- */

/* constructor(headers: own<headers>) -> own<outgoing-request>; the headers move into it. */
WR_IMPORT(WR_HTTP_TYPES, "[constructor]outgoing-request")
int32_t wr_abi_outgoing_request_new(int32_t headers);

/* set-method(self, method) -> result; flat: self, case, other-pointer, other-length -> i32 */
WR_IMPORT(WR_HTTP_TYPES, "[method]outgoing-request.set-method")
int32_t wr_abi_outgoing_request_set_method(int32_t self, int32_t method_case, const char *other,
                                           int32_t other_len);

/* set-path-with-query(self, option<string>) -> result; flat: self, is-some, ptr, len -> i32 */
WR_IMPORT(WR_HTTP_TYPES, "[method]outgoing-request.set-path-with-query")
int32_t wr_abi_outgoing_request_set_path_with_query(int32_t self, int32_t is_some,
                                                    const char *path, int32_t path_len);

/*
 * set-scheme(self, option<scheme>) -> result
 * flat: self, is-some, scheme case (0 http, 1 https, 2 other), other-pointer, other-length -> i32
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]outgoing-request.set-scheme")
int32_t wr_abi_outgoing_request_set_scheme(int32_t self, int32_t is_some, int32_t scheme_case,
                                           const char *other, int32_t other_len);

/* set-authority(self, option<string>) -> result; flat: self, is-some, ptr, len -> i32 */
WR_IMPORT(WR_HTTP_TYPES, "[method]outgoing-request.set-authority")
int32_t wr_abi_outgoing_request_set_authority(int32_t self, int32_t is_some,
                                              const char *authority, int32_t authority_len);

/*
 * body(self) -> result<own<outgoing-body>>
 * Return area: 8 bytes, align 4. [0] u8 (0 ok, 1 err); [4] i32 outgoing-body handle.
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]outgoing-request.body")
void wr_abi_outgoing_request_body(int32_t self, uint8_t *ret);

WR_IMPORT(WR_HTTP_TYPES, "[resource-drop]outgoing-request")
void wr_abi_outgoing_request_drop(int32_t self);

/* ---- wasi:http/types: future-incoming-response / incoming-response ----------------------- */

/* subscribe(self) -> own<pollable> */
WR_IMPORT(WR_HTTP_TYPES, "[method]future-incoming-response.subscribe")
int32_t wr_abi_future_incoming_response_subscribe(int32_t self);

/*
 * get(self) -> option<result<result<own<incoming-response>, error-code>>>
 * Return area: 56 bytes, align 8.
 *   [0]  u8 option (0 none: not ready yet, 1 some)
 *   [8]  u8 outer result (0 ok, 1 err: the response was already taken)
 *   [16] u8 inner result (0 ok, 1 err)
 *   [24] i32 incoming-response handle (inner ok) or error-code (inner err, see decode)
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]future-incoming-response.get")
void wr_abi_future_incoming_response_get(int32_t self, uint8_t *ret);

WR_IMPORT(WR_HTTP_TYPES, "[resource-drop]future-incoming-response")
void wr_abi_future_incoming_response_drop(int32_t self);

/* status(self) -> u16 (flat: i32) */
WR_IMPORT(WR_HTTP_TYPES, "[method]incoming-response.status")
int32_t wr_abi_incoming_response_status(int32_t self);

/* headers(self) -> own<headers> (a child: dropped before the response) */
WR_IMPORT(WR_HTTP_TYPES, "[method]incoming-response.headers")
int32_t wr_abi_incoming_response_headers(int32_t self);

/*
 * consume(self) -> result<own<incoming-body>>
 * Return area: 8 bytes, align 4. [0] u8 (0 ok, 1 err); [4] i32 incoming-body handle.
 */
WR_IMPORT(WR_HTTP_TYPES, "[method]incoming-response.consume")
void wr_abi_incoming_response_consume(int32_t self, uint8_t *ret);

WR_IMPORT(WR_HTTP_TYPES, "[resource-drop]incoming-response")
void wr_abi_incoming_response_drop(int32_t self);

/* ---- wasi:http/outgoing-handler ---------------------------------------------------------- */

/*
 * handle(request: own<outgoing-request>, options: option<own<request-options>>)
 *   -> result<own<future-incoming-response>, error-code>
 * Flat params: request, option discriminant, options handle, return-area pointer.
 * Return area: 40 bytes, align 8. [0] u8 (0 ok, 1 err); [8] i32 future handle (ok) or
 * error-code (err, see decode).
 */
WR_IMPORT(WR_HTTP_OUTGOING, "handle")
void wr_abi_outgoing_handler_handle(int32_t request, int32_t has_options, int32_t options,
                                    uint8_t *ret);

/* ---- wasi:io/streams --------------------------------------------------------------------- */

/*
 * blocking-read(self, len: u64) -> result<list<u8>, stream-error>
 * Return area: 12 bytes, align 4. [0] u8 (0 ok, 1 err);
 *   ok:  [4] i32 bytes pointer, [8] i32 length;
 *   err: [4] u8 stream-error (0 last-operation-failed, 1 closed), [8] i32 error handle.
 */
WR_IMPORT(WR_IO_STREAMS, "[method]input-stream.blocking-read")
void wr_abi_input_stream_blocking_read(int32_t self, int64_t len, uint8_t *ret);

WR_IMPORT(WR_IO_STREAMS, "[resource-drop]input-stream")
void wr_abi_input_stream_drop(int32_t self);

/*
 * check-write(self) -> result<u64, stream-error>
 * Return area: 16 bytes, align 8. [0] u8 (0 ok, 1 err);
 *   ok:  [8] u64 permitted byte count;
 *   err: [8] u8 stream-error case, [12] i32 error handle.
 */
WR_IMPORT(WR_IO_STREAMS, "[method]output-stream.check-write")
void wr_abi_output_stream_check_write(int32_t self, uint8_t *ret);

/*
 * write(self, contents: list<u8>) -> result<_, stream-error>
 * Return area: 12 bytes, align 4. [0] u8 (0 ok, 1 err); [4] u8 stream-error case, [8] i32 error.
 */
WR_IMPORT(WR_IO_STREAMS, "[method]output-stream.write")
void wr_abi_output_stream_write(int32_t self, const uint8_t *data, int32_t len, uint8_t *ret);

/* blocking-write-and-flush(self, contents: list<u8>) -> result<_, stream-error>; as write. */
WR_IMPORT(WR_IO_STREAMS, "[method]output-stream.blocking-write-and-flush")
void wr_abi_output_stream_blocking_write_and_flush(int32_t self, const uint8_t *data, int32_t len,
                                                   uint8_t *ret);

/* blocking-flush(self) -> result<_, stream-error>; return area as write. */
WR_IMPORT(WR_IO_STREAMS, "[method]output-stream.blocking-flush")
void wr_abi_output_stream_blocking_flush(int32_t self, uint8_t *ret);

/* subscribe(self) -> own<pollable> */
WR_IMPORT(WR_IO_STREAMS, "[method]output-stream.subscribe")
int32_t wr_abi_output_stream_subscribe(int32_t self);

WR_IMPORT(WR_IO_STREAMS, "[resource-drop]output-stream")
void wr_abi_output_stream_drop(int32_t self);

/* ---- wasi:io/poll, wasi:io/error --------------------------------------------------------- */

WR_IMPORT(WR_IO_POLL, "[method]pollable.block")
void wr_abi_pollable_block(int32_t self);

WR_IMPORT(WR_IO_POLL, "[resource-drop]pollable")
void wr_abi_pollable_drop(int32_t self);

/*
 * to-debug-string(self) -> string
 * Return area: 8 bytes, align 4. [0] i32 pointer, [4] i32 length.
 */
WR_IMPORT(WR_IO_ERROR, "[method]error.to-debug-string")
void wr_abi_error_to_debug_string(int32_t self, uint8_t *ret);

WR_IMPORT(WR_IO_ERROR, "[resource-drop]error")
void wr_abi_error_drop(int32_t self);

/* ---- wasi:cli/stderr --------------------------------------------------------------------- */

/* get-stderr() -> own<output-stream> */
WR_IMPORT(WR_CLI_STDERR, "get-stderr")
int32_t wr_abi_get_stderr(void);

#endif
