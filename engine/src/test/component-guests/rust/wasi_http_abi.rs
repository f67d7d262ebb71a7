//! The Canonical ABI imports of wasi:http 0.2 that the Rust test guests declare by hand (Debian's
//! rustc 1.63 is too old for wit-bindgen's Rust output), lowered the way wit-bindgen lowers them
//! for a core module: resources are `i32` handles, strings and lists (pointer, length), a result
//! that does not flatten to one value goes to a return area whose address is the last parameter.
//! Shared by the component guest (`lib.rs` here, WASI 0.2.12) and the core-module guest
//! `tests/guests/rust-http` (0.2.3, on purpose): `wasi_http_abi!` takes each interface's import
//! module name and defines `mod abi` (the imports; a declared function that is not called is not
//! imported), `RetArea`, `free_list` and the exported `cabi_realloc`.

macro_rules! wasi_http_abi {
    (
        types: $types:literal,
        outgoing_handler: $outgoing_handler:literal,
        streams: $streams:literal,
        poll: $poll:literal,
        error: $error:literal,
        monotonic_clock: $monotonic_clock:literal,
        random: $random:literal $(,)?
    ) => {
        #[allow(dead_code)]
        mod abi {
            #[link(wasm_import_module = $types)]
            extern "C" {
                #[link_name = "[constructor]fields"]
                pub fn fields_new() -> i32;
                #[link_name = "[method]fields.append"]
                pub fn fields_append(f: i32, n: *const u8, nl: usize, v: *const u8, vl: usize, ret: *mut u8);
                #[link_name = "[method]fields.entries"]
                pub fn fields_entries(fields: i32, ret: *mut u8);
                #[link_name = "[static]fields.from-list"]
                pub fn fields_from_list(entries: *const u8, len: usize, ret: *mut u8);
                #[link_name = "[resource-drop]fields"]
                pub fn fields_drop(fields: i32);

                #[link_name = "[method]incoming-request.method"]
                pub fn incoming_request_method(r: i32, ret: *mut u8);
                #[link_name = "[method]incoming-request.path-with-query"]
                pub fn incoming_request_path_with_query(r: i32, ret: *mut u8);
                #[link_name = "[method]incoming-request.scheme"]
                pub fn incoming_request_scheme(r: i32, ret: *mut u8);
                #[link_name = "[method]incoming-request.authority"]
                pub fn incoming_request_authority(r: i32, ret: *mut u8);
                #[link_name = "[method]incoming-request.headers"]
                pub fn incoming_request_headers(r: i32) -> i32;
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
                /// Dropping an unfinished body tells the host it is incomplete.
                #[link_name = "[resource-drop]outgoing-body"]
                pub fn outgoing_body_drop_unfinished(b: i32);
                #[link_name = "[static]outgoing-body.finish"]
                pub fn outgoing_body_finish(b: i32, has_trailers: i32, trailers: i32, ret: *mut u8);

                // result<own<outgoing-response>, error-code> flattened: the discriminant, then the
                // position-wise join of the two cases' flat types (error-code: i32 case, i32, i64,
                // 4 x i32).
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

            #[link(wasm_import_module = $outgoing_handler)]
            extern "C" {
                #[link_name = "handle"]
                pub fn outgoing_handle(request: i32, has_options: i32, options: i32, ret: *mut u8);
            }

            #[link(wasm_import_module = $streams)]
            extern "C" {
                #[link_name = "[method]input-stream.read"]
                pub fn input_stream_read(s: i32, len: i64, ret: *mut u8);
                #[link_name = "[method]input-stream.blocking-read"]
                pub fn input_stream_blocking_read(s: i32, len: i64, ret: *mut u8);
                #[link_name = "[method]input-stream.subscribe"]
                pub fn input_stream_subscribe(s: i32) -> i32;
                #[link_name = "[resource-drop]input-stream"]
                pub fn input_stream_drop(s: i32);
                #[link_name = "[method]output-stream.blocking-write-and-flush"]
                pub fn output_stream_blocking_write_and_flush(s: i32, p: *const u8, l: usize, ret: *mut u8);
                #[link_name = "[resource-drop]output-stream"]
                pub fn output_stream_drop(s: i32);
            }

            #[link(wasm_import_module = $poll)]
            extern "C" {
                #[link_name = "poll"]
                pub fn poll(pollables: *const i32, len: usize, ret: *mut u8);
                #[link_name = "[method]pollable.block"]
                pub fn pollable_block(p: i32);
                #[link_name = "[resource-drop]pollable"]
                pub fn pollable_drop(p: i32);
            }

            #[link(wasm_import_module = $error)]
            extern "C" {
                #[link_name = "[method]error.to-debug-string"]
                pub fn error_to_debug_string(error: i32, ret: *mut u8);
                #[link_name = "[resource-drop]error"]
                pub fn error_drop(error: i32);
            }

            #[link(wasm_import_module = $monotonic_clock)]
            extern "C" {
                #[link_name = "now"]
                pub fn monotonic_now() -> i64;
            }

            #[link(wasm_import_module = $random)]
            extern "C" {
                #[link_name = "get-random-bytes"]
                pub fn get_random_bytes(len: i64, ret: *mut u8);
            }
        }

        /// A return area big and aligned enough for every result the guests receive (the largest:
        /// the 40 bytes of `result<_, error-code>`, and option<result<result<own, error-code>>>
        /// with its handle at 24).
        #[repr(C, align(8))]
        struct RetArea([u8; 48]);

        #[allow(dead_code)]
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

            /// A `list<u8>` or `string` at `offset` (pointer, then length), taken over as a `Vec`:
            /// the host allocated it with `cabi_realloc` at alignment 1, the layout `Vec<u8>` frees.
            unsafe fn bytes_at(&self, offset: usize) -> Vec<u8> {
                let len = self.i32_at(offset + 4) as usize;
                if len == 0 {
                    return Vec::new();
                }
                Vec::from_raw_parts(self.i32_at(offset) as usize as *mut u8, len, len)
            }

            unsafe fn string_at(&self, offset: usize) -> String {
                String::from_utf8_lossy(&self.bytes_at(offset)).into_owned()
            }
        }

        /// Frees a list the host allocated with `cabi_realloc` (never freed when empty: no
        /// allocation).
        unsafe fn free_list(ptr: *mut u8, size: usize, align: usize) {
            if size != 0 {
                std::alloc::dealloc(ptr, std::alloc::Layout::from_size_align_unchecked(size, align));
            }
        }

        /// The allocator the host calls to place returned strings and lists in this module's
        /// memory: Rust's global allocator, with the Canonical ABI's realloc contract.
        #[no_mangle]
        pub unsafe extern "C" fn cabi_realloc(
            old: *mut u8,
            old_size: usize,
            align: usize,
            new_size: usize,
        ) -> *mut u8 {
            use std::alloc::{self, Layout};
            if new_size == 0 {
                // An empty string or list owns no allocation; its pointer only has to be non-null
                // and aligned.
                free_list(old, old_size, align);
                return align as *mut u8;
            }
            let layout = Layout::from_size_align_unchecked(new_size, align);
            let ptr = if old_size == 0 {
                alloc::alloc(layout)
            } else {
                alloc::realloc(old, Layout::from_size_align_unchecked(old_size, align), new_size)
            };
            if ptr.is_null() {
                // The host has no way to receive an allocation failure.
                std::process::abort();
            }
            ptr
        }
    };
}
