// The Go component test guest: `GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared` (a
// preview-1 reactor) with the wasi:http imports declared by //go:wasmimport (abi.go) and the
// handler exported by //go:wasmexport; adapter_realloc.py adds the preview-1 adapter's allocator
// (adapter_area.go), `wasm-tools component embed` gives it the world wasi:http/proxy@0.2.12 and
// `wasm-tools component new --adapt` the preview-1 adapter.
//
//	GET /call?to=http://ns.module/path   POSTs "hello from go" to `to` and answers with the
//	                                     response's status and body
//	any method /throw                    panics with "boom from go" (stderr, then exit)
//	anything else                        answers 200 with the request body streamed back chunk
//	                                     by chunk, x-echo-method and x-echo-path (path and query)
package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"unsafe"
)

func main() {}

// blocking-write-and-flush takes at most 4096 bytes a call (wasi:io/streams).
const maxWrite = 4096
const readChunk = 64 * 1024

var methods = [...]string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

func strPtr(s string) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(unsafe.StringData(s))
}

func expectOK(r *retArea, what string) int32 {
	if r.u8(0) != 0 {
		panic(what + " refused")
	}
	return r.i32(4)
}

func appendHeader(fields int32, name, value string) {
	var r retArea
	fieldsAppend(fields, strPtr(name), int32(len(name)), strPtr(value), int32(len(value)), r.ptr())
	if r.u8(0) != 0 {
		fmt.Fprintf(os.Stderr, "header %s refused\n", name)
	}
}

func writeAll(sink int32, b []byte) bool {
	for len(b) > 0 {
		n := len(b)
		if n > maxWrite {
			n = maxWrite
		}
		var r retArea
		outputStreamBlockingWriteAndFlush(sink, unsafe.Pointer(&b[0]), int32(n), r.ptr())
		if r.u8(0) != 0 {
			fmt.Fprintln(os.Stderr, "writing a body failed")
			return false
		}
		b = b[n:]
	}
	return true
}

// copyBody streams the incoming-body `body` into `sink` until it ends, one chunk at a time.
func copyBody(body, sink int32) {
	var r retArea
	incomingBodyStream(body, r.ptr())
	source := expectOK(&r, "incoming-body.stream")
	base := len(pinned)
	for {
		var r retArea
		inputStreamBlockingRead(source, readChunk, r.ptr())
		if r.u8(0) != 0 {
			break // closed, or failed: the body ends here
		}
		chunk := r.bytes(4)
		pinned = pinned[:base] // the host's copy of the chunk is no longer needed
		if !writeAll(sink, chunk) {
			break
		}
	}
	inputStreamDrop(source)
	incomingBodyDrop(body)
}

func respond(outparam int32, status int32, headers int32, body int32, hasBody bool) {
	response := outgoingResponseNew(headers)
	outgoingResponseSetStatusCode(response, status)
	var r retArea
	outgoingResponseBody(response, r.ptr())
	outBody := expectOK(&r, "outgoing-response.body")
	responseOutparamSet(outparam, 0, response, 0, 0, 0, 0, 0, 0)
	outgoingBodyWrite(outBody, r.ptr())
	sink := expectOK(&r, "outgoing-body.write")
	if hasBody {
		copyBody(body, sink)
	}
	outputStreamDrop(sink)
	outgoingBodyFinish(outBody, 0, 0, r.ptr())
}

func call(to string, outparam int32) {
	target, err := url.Parse(to)
	if err != nil {
		panic(fmt.Sprintf("bad url %q: %v", to, err))
	}
	scheme := int32(0)
	if target.Scheme == "https" {
		scheme = 1
	}
	path := target.EscapedPath()
	if path == "" {
		path = "/"
	}
	if target.RawQuery != "" {
		path += "?" + target.RawQuery
	}
	request := outgoingRequestNew(fieldsNew())
	outgoingRequestSetMethod(request, 2, nil, 0) // POST
	outgoingRequestSetScheme(request, 1, scheme, nil, 0)
	outgoingRequestSetAuthority(request, 1, strPtr(target.Host), int32(len(target.Host)))
	outgoingRequestSetPathWithQuery(request, 1, strPtr(path), int32(len(path)))
	var r retArea
	outgoingRequestBody(request, r.ptr())
	outBody := expectOK(&r, "outgoing-request.body")

	// result<own<future-incoming-response>, error-code>: the handle at 8 (error-code aligns to 8).
	outgoingHandle(request, 0, 0, r.ptr())
	if r.u8(0) != 0 {
		panic(fmt.Sprintf("outgoing request to %s refused (error-code %d)", to, r.u8(8)))
	}
	future := r.i32(8)
	outgoingBodyWrite(outBody, r.ptr())
	sink := expectOK(&r, "outgoing-body.write")
	writeAll(sink, []byte("hello from go"))
	outputStreamDrop(sink)
	outgoingBodyFinish(outBody, 0, 0, r.ptr())

	// option<result<result<own<incoming-response>, error-code>>>: tags at 0, 8, 16, handle at 24.
	for {
		futureIncomingResponseGet(future, r.ptr())
		if r.u8(0) != 0 {
			break
		}
		ready := futureIncomingResponseSubscribe(future)
		pollableBlock(ready)
		pollableDrop(ready)
	}
	futureIncomingResponseDrop(future)
	if r.u8(8) != 0 || r.u8(16) != 0 {
		panic(fmt.Sprintf("outgoing request to %s failed (error-code %d)", to, r.u8(24)))
	}
	upstream := r.i32(24)
	status := incomingResponseStatus(upstream)
	incomingResponseConsume(upstream, r.ptr())
	hasBody := r.u8(0) == 0
	body := r.i32(4)
	headers := fieldsNew()
	appendHeader(headers, "x-guest", "go")
	appendHeader(headers, "x-called", to)
	respond(outparam, status, headers, body, hasBody)
	incomingResponseDrop(upstream)
}

//go:wasmexport wasi:http/incoming-handler@0.2.12#handle
func handle(request int32, outparam int32) {
	base := len(pinned)
	defer func() { pinned = pinned[:base] }()

	var r retArea
	incomingRequestPathWithQuery(request, r.ptr())
	pathWithQuery := "/"
	if r.u8(0) != 0 {
		pathWithQuery = string(r.bytes(4))
	}
	path, query, _ := strings.Cut(pathWithQuery, "?")
	switch path {
	case "/throw":
		panic("boom from go")
	case "/call":
		values, _ := url.ParseQuery(query)
		if to := values.Get("to"); to != "" {
			call(to, outparam)
		} else {
			headers := fieldsNew()
			appendHeader(headers, "x-guest", "go")
			respond(outparam, 400, headers, 0, false)
		}
		incomingRequestDrop(request)
		return
	}
	// method: the case at 0; `other` carries its string at 4.
	incomingRequestMethod(request, r.ptr())
	method := "OTHER"
	if c := int(r.u8(0)); c < len(methods) {
		method = methods[c]
	} else {
		method = string(r.bytes(4))
	}
	headers := fieldsNew()
	appendHeader(headers, "x-guest", "go")
	appendHeader(headers, "x-echo-method", method)
	appendHeader(headers, "x-echo-path", pathWithQuery)
	incomingRequestConsume(request, r.ptr())
	respond(outparam, 200, headers, r.i32(4), r.u8(0) == 0)
	incomingRequestDrop(request)
}
