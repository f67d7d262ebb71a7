//! A wasi:http 0.2 guest written the way `wit-bindgen`'s Rust output is, without any wruntime SDK:
//! an ordinary Rust `cdylib` for `wasm32-wasi` that declares its Canonical ABI imports itself,
//! exports `cabi_realloc` and `wasi:http/incoming-handler@0.2.3#handle`, and uses Rust's std
//! (stdout, environment) through `wasi_snapshot_preview1`.
//!
//! The imports name interface version **0.2.3** on purpose: the engine must map any 0.2 patch
//! version onto its host.
//!
//! Service: `POST /inspect` answers 200, `content-type: application/json`, `x-guest: rust`, with
//! what the guest saw of the request (method, path, scheme, authority, every header in order, the
//! body's length and 64-bit FNV-1a) plus the length of 16 random bytes, whether the monotonic clock
//! advanced while the body was read, and the `GREETING` environment variable. Anything else: 404.

// The raw imports (`mod abi`), `RetArea`, `free_list` and `cabi_realloc`, shared with the Rust
// component guest.
#[macro_use]
#[path = "../../../../engine/src/test/component-guests/rust/wasi_http_abi.rs"]
mod wasi_http_abi;

wasi_http_abi!(
    types: "wasi:http/types@0.2.3",
    outgoing_handler: "wasi:http/outgoing-handler@0.2.3",
    streams: "wasi:io/streams@0.2.3",
    poll: "wasi:io/poll@0.2.3",
    error: "wasi:io/error@0.2.3",
    monotonic_clock: "wasi:clocks/monotonic-clock@0.2.3",
    random: "wasi:random/random@0.2.3",
);

/// The largest write `blocking-write-and-flush` accepts in one call (its contract).
const MAX_WRITE: usize = 4096;
/// How many body bytes one non-blocking `read` asks for.
const READ_CHUNK: i64 = 64 * 1024;

/// The incoming handler export: one call per request.
#[export_name = "wasi:http/incoming-handler@0.2.3#handle"]
pub extern "C" fn handle(request: i32, outparam: i32) {
    unsafe {
        let started = abi::monotonic_now();
        let method = request_method(request);
        let path = optional_string(request, abi::incoming_request_path_with_query)
            .unwrap_or_else(|| "/".to_string());
        if method != "POST" || path != "/inspect" {
            abi::incoming_request_drop(request);
            respond(
                outparam,
                404,
                "text/plain",
                format!("no route for {} {} (expected: POST /inspect)\n", method, path).as_bytes(),
            );
            return;
        }
        let scheme = request_scheme(request);
        let authority = optional_string(request, abi::incoming_request_authority);
        let headers = request_headers(request);
        let body = read_body(request);
        abi::incoming_request_drop(request);
        let (body_len, body_hash) = match body {
            Ok(v) => v,
            Err(message) => {
                respond(
                    outparam,
                    500,
                    "text/plain",
                    format!("reading the body failed: {}\n", message).as_bytes(),
                );
                return;
            }
        };
        let random = random_bytes(16);
        let clock_advanced = abi::monotonic_now() > started;
        let greeting = std::env::var("GREETING").ok();
        println!(
            "inspect: {} {} headers={} body_len={}",
            method,
            path,
            headers.len(),
            body_len
        );

        let mut json = String::with_capacity(256 + 64 * headers.len());
        json.push_str("{\"method\":");
        push_json_string(&mut json, &method);
        json.push_str(",\"path\":");
        push_json_string(&mut json, &path);
        json.push_str(",\"scheme\":");
        push_json_optional(&mut json, scheme.as_deref());
        json.push_str(",\"authority\":");
        push_json_optional(&mut json, authority.as_deref());
        json.push_str(",\"headers\":[");
        for (i, (name, value)) in headers.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push('[');
            push_json_string(&mut json, name);
            json.push(',');
            push_json_string(&mut json, &String::from_utf8_lossy(value));
            json.push(']');
        }
        json.push_str(&format!(
            "],\"body_len\":{},\"body_sha\":\"{:016x}\",\"random_len\":{},\"clock_advanced\":{},\"greeting\":",
            body_len,
            body_hash,
            random.len(),
            clock_advanced
        ));
        push_json_optional(&mut json, greeting.as_deref());
        json.push('}');
        respond(outparam, 200, "application/json", json.as_bytes());
    }
}

unsafe fn request_method(request: i32) -> String {
    let mut ret = RetArea::new();
    abi::incoming_request_method(request, ret.ptr());
    let name = match ret.u8_at(0) {
        0 => "GET",
        1 => "HEAD",
        2 => "POST",
        3 => "PUT",
        4 => "DELETE",
        5 => "CONNECT",
        6 => "OPTIONS",
        7 => "TRACE",
        8 => "PATCH",
        _ => return ret.string_at(4),
    };
    name.to_string()
}

/// Calls an `option<string>` getter (`path-with-query`, `authority`): `[0]` 0 none / 1 some,
/// `[4]` pointer, `[8]` length.
unsafe fn optional_string(request: i32, getter: unsafe extern "C" fn(i32, *mut u8)) -> Option<String> {
    let mut ret = RetArea::new();
    getter(request, ret.ptr());
    match ret.u8_at(0) {
        0 => None,
        _ => Some(ret.string_at(4)),
    }
}

/// `option<scheme>`: `[0]` some, `[4]` case (0 HTTP, 1 HTTPS, 2 other), `[8]` other's string.
unsafe fn request_scheme(request: i32) -> Option<String> {
    let mut ret = RetArea::new();
    abi::incoming_request_scheme(request, ret.ptr());
    if ret.u8_at(0) == 0 {
        return None;
    }
    Some(match ret.u8_at(4) {
        0 => "http".to_string(),
        1 => "https".to_string(),
        _ => ret.string_at(8),
    })
}

/// Every request header, in order, through `fields.entries`: a list of 16-byte elements
/// `{name ptr, name len, value ptr, value len}`.
unsafe fn request_headers(request: i32) -> Vec<(String, Vec<u8>)> {
    let fields = abi::incoming_request_headers(request);
    let mut ret = RetArea::new();
    abi::fields_entries(fields, ret.ptr());
    let base = ret.i32_at(0) as usize as *mut u8;
    let len = ret.i32_at(4) as usize;
    let mut entries = Vec::with_capacity(len);
    for i in 0..len {
        let element = base.add(i * 16);
        let mut view = RetArea::new();
        std::ptr::copy_nonoverlapping(element, view.ptr(), 16);
        let name = view.string_at(0);
        let value = view.bytes_at(8);
        entries.push((name, value));
    }
    free_list(base, len * 16, 4);
    abi::fields_drop(fields);
    entries
}

/// Reads the whole request body with non-blocking `read`, waiting on the stream's pollable
/// through `poll` whenever nothing is available; returns its length and FNV-1a hash.
unsafe fn read_body(request: i32) -> Result<(u64, u64), String> {
    let mut ret = RetArea::new();
    abi::incoming_request_consume(request, ret.ptr());
    if ret.u8_at(0) != 0 {
        return Err("incoming-request.consume returned an error".to_string());
    }
    let body = ret.i32_at(4);
    let mut ret = RetArea::new();
    abi::incoming_body_stream(body, ret.ptr());
    if ret.u8_at(0) != 0 {
        abi::incoming_body_drop(body);
        return Err("incoming-body.stream returned an error".to_string());
    }
    let stream = ret.i32_at(4);
    let pollable = abi::input_stream_subscribe(stream);

    let mut hash = Fnv1a::new();
    let mut total = 0u64;
    let outcome = loop {
        let mut ret = RetArea::new();
        abi::input_stream_read(stream, READ_CHUNK, ret.ptr());
        if ret.u8_at(0) == 0 {
            let bytes = ret.bytes_at(4);
            if bytes.is_empty() {
                wait_for(pollable);
            } else {
                hash.update(&bytes);
                total += bytes.len() as u64;
            }
            continue;
        }
        match ret.u8_at(4) {
            1 => break Ok((total, hash.finish())),
            _ => break Err(take_error(ret.i32_at(8))),
        }
    };
    // Children before parents: the pollable belongs to the stream, the stream to the body.
    abi::pollable_drop(pollable);
    abi::input_stream_drop(stream);
    abi::incoming_body_drop(body);
    outcome
}

/// Blocks in `poll` until the one pollable is ready; the host returns the ready indexes as a
/// `list<u32>` it allocated here.
unsafe fn wait_for(pollable: i32) {
    let pollables = [pollable];
    let mut ret = RetArea::new();
    abi::poll(pollables.as_ptr(), pollables.len(), ret.ptr());
    let ready = ret.i32_at(0) as usize as *mut u8;
    let count = ret.i32_at(4) as usize;
    free_list(ready, count * 4, 4);
}

/// The text of a `wasi:io/error` (which this drops).
unsafe fn take_error(error: i32) -> String {
    let mut ret = RetArea::new();
    abi::error_to_debug_string(error, ret.ptr());
    let text = ret.string_at(0);
    abi::error_drop(error);
    text
}

unsafe fn random_bytes(len: u64) -> Vec<u8> {
    let mut ret = RetArea::new();
    abi::get_random_bytes(len as i64, ret.ptr());
    ret.bytes_at(0)
}

/// Sends a complete response: headers built with `fields.from-list`, the outparam set before the
/// body is written (so the host can send the head while the body streams), the body in pieces no
/// larger than `blocking-write-and-flush` accepts, then `outgoing-body.finish` without trailers.
unsafe fn respond(outparam: i32, status: i32, content_type: &str, body: &[u8]) {
    let headers: [(&str, &[u8]); 2] = [
        ("content-type", content_type.as_bytes()),
        ("x-guest", b"rust"),
    ];
    // Each element: {name ptr, name len, value ptr, value len}, 4-byte aligned.
    let mut list = [0u32; 8];
    for (i, (name, value)) in headers.iter().enumerate() {
        list[i * 4] = name.as_ptr() as u32;
        list[i * 4 + 1] = name.len() as u32;
        list[i * 4 + 2] = value.as_ptr() as u32;
        list[i * 4 + 3] = value.len() as u32;
    }
    let mut ret = RetArea::new();
    abi::fields_from_list(list.as_ptr() as *const u8, headers.len(), ret.ptr());
    if ret.u8_at(0) != 0 {
        eprintln!("fields.from-list rejected the response headers: header-error {}", ret.u8_at(4));
        abi::response_outparam_set(outparam, 1, 38, 0, 0, 0, 0, 0, 0);
        return;
    }
    let fields = ret.i32_at(4);

    let response = abi::outgoing_response_new(fields);
    if abi::outgoing_response_set_status_code(response, status) != 0 {
        eprintln!("outgoing-response.set-status-code rejected {}", status);
    }
    let mut ret = RetArea::new();
    abi::outgoing_response_body(response, ret.ptr());
    let outgoing_body = ret.i32_at(4);
    abi::response_outparam_set(outparam, 0, response, 0, 0, 0, 0, 0, 0);

    let mut ret = RetArea::new();
    abi::outgoing_body_write(outgoing_body, ret.ptr());
    let stream = ret.i32_at(4);
    for chunk in body.chunks(MAX_WRITE) {
        let mut ret = RetArea::new();
        abi::output_stream_blocking_write_and_flush(stream, chunk.as_ptr(), chunk.len(), ret.ptr());
        if ret.u8_at(0) != 0 {
            let reason = if ret.u8_at(4) == 1 {
                "closed".to_string()
            } else {
                take_error(ret.i32_at(8))
            };
            eprintln!("writing the response body failed: {}", reason);
            abi::output_stream_drop(stream);
            // Dropping an unfinished body tells the host it is incomplete.
            abi::outgoing_body_drop_unfinished(outgoing_body);
            return;
        }
    }
    abi::output_stream_drop(stream);
    let mut ret = RetArea::new();
    abi::outgoing_body_finish(outgoing_body, 0, 0, ret.ptr());
    if ret.u8_at(0) != 0 {
        eprintln!("outgoing-body.finish failed: error-code case {}", ret.u8_at(8));
    }
}

/// 64-bit FNV-1a.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn push_json_optional(out: &mut String, value: Option<&str>) {
    match value {
        Some(v) => push_json_string(out, v),
        None => out.push_str("null"),
    }
}

fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
