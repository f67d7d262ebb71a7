//! The Rust component test guest. Debian's rustc 1.63 (the one rustc here with the wasm32-wasi
//! standard library) is too old for wit-bindgen's Rust output, so the Canonical ABI imports of
//! the world wasi:http/proxy@0.2.12 are declared by hand, the way wit-bindgen lowers them; the core
//! module (a preview-1 reactor) is then given the world by `wasm-tools component embed` and made a
//! component by `wasm-tools component new --adapt` with the preview-1 adapter.
//!
//!   GET /call?to=http://ns.module/path   POSTs "hello from rust" to `to` and answers with the
//!                                        response's status and body
//!   any method /throw                    panics with "boom from rust" (stderr, then a trap)
//!   anything else                        answers 200 with the request body streamed back chunk
//!                                        by chunk, x-echo-method and x-echo-path (path and query)

use std::alloc::{self, Layout};

mod abi {
    #[link(wasm_import_module = "wasi:http/types@0.2.12")]
    extern "C" {
        #[link_name = "[constructor]fields"]
        pub fn fields_new() -> i32;
        #[link_name = "[method]fields.append"]
        pub fn fields_append(f: i32, n: *const u8, nl: usize, v: *const u8, vl: usize, ret: *mut u8);
        #[link_name = "[method]incoming-request.method"]
        pub fn incoming_request_method(r: i32, ret: *mut u8);
        #[link_name = "[method]incoming-request.path-with-query"]
        pub fn incoming_request_path_with_query(r: i32, ret: *mut u8);
        #[link_name = "[method]incoming-request.consume"]
        pub fn incoming_request_consume(r: i32, ret: *mut u8);
        #[link_name = "[resource-drop]incoming-request"]
        pub fn incoming_request_drop(r: i32);
        #[link_name = "[method]incoming-body.stream"]
        pub fn incoming_body_stream(b: i32, ret: *mut u8);
        #[link_name = "[resource-drop]incoming-body"]
        pub fn incoming_body_drop(b: i32);
        #[link_name = "[constructor]outgoing-request"]
        pub fn outgoing_request_new(headers: i32) -> i32;
        #[link_name = "[method]outgoing-request.body"]
        pub fn outgoing_request_body(r: i32, ret: *mut u8);
        #[link_name = "[method]outgoing-request.set-method"]
        pub fn outgoing_request_set_method(r: i32, tag: i32, p: *const u8, l: usize) -> i32;
        #[link_name = "[method]outgoing-request.set-scheme"]
        pub fn outgoing_request_set_scheme(r: i32, some: i32, tag: i32, p: *const u8, l: usize) -> i32;
        #[link_name = "[method]outgoing-request.set-authority"]
        pub fn outgoing_request_set_authority(r: i32, some: i32, p: *const u8, l: usize) -> i32;
        #[link_name = "[method]outgoing-request.set-path-with-query"]
        pub fn outgoing_request_set_path_with_query(r: i32, some: i32, p: *const u8, l: usize) -> i32;
        #[link_name = "[constructor]outgoing-response"]
        pub fn outgoing_response_new(headers: i32) -> i32;
        #[link_name = "[method]outgoing-response.set-status-code"]
        pub fn outgoing_response_set_status_code(r: i32, status: i32) -> i32;
        #[link_name = "[method]outgoing-response.body"]
        pub fn outgoing_response_body(r: i32, ret: *mut u8);
        #[link_name = "[method]outgoing-body.write"]
        pub fn outgoing_body_write(b: i32, ret: *mut u8);
        #[link_name = "[static]outgoing-body.finish"]
        pub fn outgoing_body_finish(b: i32, has_trailers: i32, trailers: i32, ret: *mut u8);
        // result<own<outgoing-response>, error-code> flattened: the discriminant, then the
        // position-wise join of both cases' flat types.
        #[link_name = "[static]response-outparam.set"]
        pub fn response_outparam_set(
            o: i32, is_err: i32, p0: i32, p1: i32, p2: i64, p3: i32, p4: i32, p5: i32, p6: i32,
        );
        #[link_name = "[method]incoming-response.status"]
        pub fn incoming_response_status(r: i32) -> i32;
        #[link_name = "[method]incoming-response.consume"]
        pub fn incoming_response_consume(r: i32, ret: *mut u8);
        #[link_name = "[resource-drop]incoming-response"]
        pub fn incoming_response_drop(r: i32);
        #[link_name = "[method]future-incoming-response.subscribe"]
        pub fn future_incoming_response_subscribe(f: i32) -> i32;
        #[link_name = "[method]future-incoming-response.get"]
        pub fn future_incoming_response_get(f: i32, ret: *mut u8);
        #[link_name = "[resource-drop]future-incoming-response"]
        pub fn future_incoming_response_drop(f: i32);
    }

    #[link(wasm_import_module = "wasi:http/outgoing-handler@0.2.12")]
    extern "C" {
        #[link_name = "handle"]
        pub fn outgoing_handle(request: i32, has_options: i32, options: i32, ret: *mut u8);
    }

    #[link(wasm_import_module = "wasi:io/streams@0.2.12")]
    extern "C" {
        #[link_name = "[method]input-stream.blocking-read"]
        pub fn input_stream_blocking_read(s: i32, len: i64, ret: *mut u8);
        #[link_name = "[resource-drop]input-stream"]
        pub fn input_stream_drop(s: i32);
        #[link_name = "[method]output-stream.blocking-write-and-flush"]
        pub fn output_stream_blocking_write_and_flush(s: i32, p: *const u8, l: usize, ret: *mut u8);
        #[link_name = "[resource-drop]output-stream"]
        pub fn output_stream_drop(s: i32);
    }

    #[link(wasm_import_module = "wasi:io/poll@0.2.12")]
    extern "C" {
        #[link_name = "[method]pollable.block"]
        pub fn pollable_block(p: i32);
        #[link_name = "[resource-drop]pollable"]
        pub fn pollable_drop(p: i32);
    }
}

/// blocking-write-and-flush takes at most 4096 bytes a call (wasi:io/streams).
const MAX_WRITE: usize = 4096;
const READ_CHUNK: i64 = 64 * 1024;
const METHODS: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

/// A return area big and aligned enough for every result used here (the largest: the 40 bytes of
/// `result<_, error-code>`, and option<result<result<own, error-code>>> with its handle at 24).
#[repr(C, align(8))]
struct RetArea([u8; 48]);

impl RetArea {
    fn new() -> Self {
        RetArea([0; 48])
    }
    fn ptr(&mut self) -> *mut u8 {
        self.0.as_mut_ptr()
    }
    fn u8_at(&self, offset: usize) -> u8 {
        self.0[offset]
    }
    fn i32_at(&self, offset: usize) -> i32 {
        i32::from_le_bytes(self.0[offset..offset + 4].try_into().unwrap())
    }
    /// A list or string at `offset`, allocated by the host with `cabi_realloc` at alignment 1.
    unsafe fn bytes_at(&self, offset: usize) -> Vec<u8> {
        let len = self.i32_at(offset + 4) as usize;
        if len == 0 {
            return Vec::new();
        }
        Vec::from_raw_parts(self.i32_at(offset) as usize as *mut u8, len, len)
    }
}

#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
    if new_size == 0 {
        if old_size != 0 {
            alloc::dealloc(old, Layout::from_size_align_unchecked(old_size, align));
        }
        return align as *mut u8;
    }
    let layout = Layout::from_size_align_unchecked(new_size, align);
    let ptr = if old_size == 0 {
        alloc::alloc(layout)
    } else {
        alloc::realloc(old, Layout::from_size_align_unchecked(old_size, align), new_size)
    };
    if ptr.is_null() {
        alloc::handle_alloc_error(layout);
    }
    ptr
}

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
