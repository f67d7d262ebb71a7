//! The Rust component test guest. Debian's rustc 1.63 (the one rustc here with the wasm32-wasi
//! standard library) is too old for wit-bindgen's Rust output, so the Canonical ABI imports of
//! the world wasi:http/proxy@0.2.12 are declared by hand (wasi_http_abi.rs), the way wit-bindgen
//! lowers them; the core module (a preview-1 reactor) is then given the world by `wasm-tools
//! component embed` and made a component by `wasm-tools component new --adapt` with the preview-1
//! adapter.
//!
//!   GET /call?to=http://ns.module/path   POSTs "hello from rust" to `to` and answers with the
//!                                        response's status and body
//!   any method /throw                    panics with "boom from rust" (stderr, then a trap)
//!   anything else                        answers 200 with the request body streamed back chunk
//!                                        by chunk, x-echo-method and x-echo-path (path and query)

#[macro_use]
mod wasi_http_abi;

wasi_http_abi!(
    types: "wasi:http/types@0.2.12",
    outgoing_handler: "wasi:http/outgoing-handler@0.2.12",
    streams: "wasi:io/streams@0.2.12",
    poll: "wasi:io/poll@0.2.12",
    error: "wasi:io/error@0.2.12",
    monotonic_clock: "wasi:clocks/monotonic-clock@0.2.12",
    random: "wasi:random/random@0.2.12",
);

/// blocking-write-and-flush takes at most 4096 bytes a call (wasi:io/streams).
const MAX_WRITE: usize = 4096;
const READ_CHUNK: i64 = 64 * 1024;
const METHODS: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

fn expect_ok(ret: &RetArea, what: &str) -> i32 {
    if ret.u8_at(0) != 0 {
        panic!("{} refused", what);
    }
    ret.i32_at(4)
}

unsafe fn append(fields: i32, name: &str, value: &[u8]) {
    let mut ret = RetArea::new();
    abi::fields_append(fields, name.as_ptr(), name.len(), value.as_ptr(), value.len(), ret.ptr());
    if ret.u8_at(0) != 0 {
        eprintln!("header {} refused", name);
    }
}

unsafe fn write_all(sink: i32, bytes: &[u8]) -> bool {
    for piece in bytes.chunks(MAX_WRITE) {
        let mut ret = RetArea::new();
        abi::output_stream_blocking_write_and_flush(sink, piece.as_ptr(), piece.len(), ret.ptr());
        if ret.u8_at(0) != 0 {
            eprintln!("writing a body failed");
            return false;
        }
    }
    true
}

/// Copies the body `body` (an incoming-body) into `sink` until it ends, one chunk at a time.
unsafe fn copy_body(body: i32, sink: i32) {
    let mut ret = RetArea::new();
    abi::incoming_body_stream(body, ret.ptr());
    let source = expect_ok(&ret, "incoming-body.stream");
    loop {
        let mut ret = RetArea::new();
        abi::input_stream_blocking_read(source, READ_CHUNK, ret.ptr());
        if ret.u8_at(0) != 0 {
            break; // closed, or failed: the body ends here
        }
        let chunk = ret.bytes_at(4);
        if !write_all(sink, &chunk) {
            break;
        }
    }
    abi::input_stream_drop(source);
    abi::incoming_body_drop(body);
}

/// Sends status and headers, then streams `body` (an incoming-body, if any) as the response body.
unsafe fn respond(outparam: i32, status: i32, headers: i32, body: Option<i32>) {
    let response = abi::outgoing_response_new(headers);
    abi::outgoing_response_set_status_code(response, status);
    let mut ret = RetArea::new();
    abi::outgoing_response_body(response, ret.ptr());
    let out_body = expect_ok(&ret, "outgoing-response.body");
    abi::response_outparam_set(outparam, 0, response, 0, 0, 0, 0, 0, 0);
    let mut ret = RetArea::new();
    abi::outgoing_body_write(out_body, ret.ptr());
    let sink = expect_ok(&ret, "outgoing-body.write");
    if let Some(body) = body {
        copy_body(body, sink);
    }
    abi::output_stream_drop(sink);
    let mut ret = RetArea::new();
    abi::outgoing_body_finish(out_body, 0, 0, ret.ptr());
}

fn query_to(path_with_query: &str) -> Option<String> {
    let query = path_with_query.splitn(2, '?').nth(1)?;
    let raw = query.split('&').find_map(|p| p.strip_prefix("to="))?;
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&raw[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().filter(|s| !s.is_empty())
}

unsafe fn call(to: &str, outparam: i32) {
    let (scheme, rest) = match to.strip_prefix("https://") {
        Some(rest) => (1, rest),
        None => (0, to.strip_prefix("http://").unwrap_or(to)),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let request = abi::outgoing_request_new(abi::fields_new());
    abi::outgoing_request_set_method(request, 2, std::ptr::null(), 0); // POST
    abi::outgoing_request_set_scheme(request, 1, scheme, std::ptr::null(), 0);
    abi::outgoing_request_set_authority(request, 1, authority.as_ptr(), authority.len());
    abi::outgoing_request_set_path_with_query(request, 1, path.as_ptr(), path.len());
    let mut ret = RetArea::new();
    abi::outgoing_request_body(request, ret.ptr());
    let out_body = expect_ok(&ret, "outgoing-request.body");

    // result<own<future-incoming-response>, error-code>: the handle at 8 (error-code aligns to 8).
    let mut ret = RetArea::new();
    abi::outgoing_handle(request, 0, 0, ret.ptr());
    if ret.u8_at(0) != 0 {
        panic!("outgoing request to {} refused (error-code {})", to, ret.u8_at(8));
    }
    let future = ret.i32_at(8);
    let mut ret = RetArea::new();
    abi::outgoing_body_write(out_body, ret.ptr());
    let sink = expect_ok(&ret, "outgoing-body.write");
    write_all(sink, b"hello from rust");
    abi::output_stream_drop(sink);
    let mut ret = RetArea::new();
    abi::outgoing_body_finish(out_body, 0, 0, ret.ptr());

    // option<result<result<own<incoming-response>, error-code>>>: tags at 0, 8 and 16, handle at 24.
    let mut ret = RetArea::new();
    loop {
        abi::future_incoming_response_get(future, ret.ptr());
        if ret.u8_at(0) != 0 {
            break;
        }
        let ready = abi::future_incoming_response_subscribe(future);
        abi::pollable_block(ready);
        abi::pollable_drop(ready);
    }
    abi::future_incoming_response_drop(future);
    if ret.u8_at(8) != 0 || ret.u8_at(16) != 0 {
        panic!("outgoing request to {} failed (error-code {})", to, ret.u8_at(24));
    }
    let upstream = ret.i32_at(24);
    let status = abi::incoming_response_status(upstream);
    let mut ret = RetArea::new();
    abi::incoming_response_consume(upstream, ret.ptr());
    let body = if ret.u8_at(0) == 0 { Some(ret.i32_at(4)) } else { None };
    let headers = abi::fields_new();
    append(headers, "x-guest", b"rust");
    append(headers, "x-called", to.as_bytes());
    respond(outparam, status, headers, body);
    abi::incoming_response_drop(upstream);
}

#[export_name = "wasi:http/incoming-handler@0.2.12#handle"]
pub unsafe extern "C" fn handle(request: i32, outparam: i32) {
    let mut ret = RetArea::new();
    abi::incoming_request_path_with_query(request, ret.ptr());
    let path_with_query = if ret.u8_at(0) == 0 {
        "/".to_string()
    } else {
        String::from_utf8_lossy(&ret.bytes_at(4)).into_owned()
    };
    let path = path_with_query.split('?').next().unwrap_or("/");
    if path == "/throw" {
        panic!("boom from rust");
    }
    if path == "/call" {
        match query_to(&path_with_query) {
            Some(to) => call(&to, outparam),
            None => {
                let headers = abi::fields_new();
                append(headers, "x-guest", b"rust");
                respond(outparam, 400, headers, None);
            }
        }
        abi::incoming_request_drop(request);
        return;
    }
    // method: the case at 0; `other` carries its string at 4.
    let mut ret = RetArea::new();
    abi::incoming_request_method(request, ret.ptr());
    let method = match ret.u8_at(0) as usize {
        9 => String::from_utf8_lossy(&ret.bytes_at(4)).into_owned(),
        case => METHODS[case].to_string(),
    };
    let headers = abi::fields_new();
    append(headers, "x-guest", b"rust");
    append(headers, "x-echo-method", method.as_bytes());
    append(headers, "x-echo-path", path_with_query.as_bytes());
    let mut ret = RetArea::new();
    abi::incoming_request_consume(request, ret.ptr());
    let body = if ret.u8_at(0) == 0 { Some(ret.i32_at(4)) } else { None };
    respond(outparam, 200, headers, body);
    abi::incoming_request_drop(request);
}
