package main

import "unsafe"

// The Canonical ABI imports of the world wasi:http/proxy@0.2.12 this guest uses, lowered the way
// wit-bindgen lowers them for a core module: resources are i32 handles, strings and lists
// (pointer, length), results that do not flatten to one value go to a return area whose address
// is the last parameter.

//go:wasmimport wasi:http/types@0.2.12 [constructor]fields
func fieldsNew() int32

//go:wasmimport wasi:http/types@0.2.12 [method]fields.append
func fieldsAppend(f int32, name unsafe.Pointer, nameLen int32, value unsafe.Pointer, valueLen int32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.12 [method]incoming-request.method
func incomingRequestMethod(r int32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.12 [method]incoming-request.path-with-query
func incomingRequestPathWithQuery(r int32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.12 [method]incoming-request.consume
func incomingRequestConsume(r int32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.12 [resource-drop]incoming-request
func incomingRequestDrop(r int32)

//go:wasmimport wasi:http/types@0.2.12 [method]incoming-body.stream
func incomingBodyStream(b int32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.12 [resource-drop]incoming-body
func incomingBodyDrop(b int32)

//go:wasmimport wasi:http/types@0.2.12 [constructor]outgoing-request
func outgoingRequestNew(headers int32) int32

//go:wasmimport wasi:http/types@0.2.12 [method]outgoing-request.body
func outgoingRequestBody(r int32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.12 [method]outgoing-request.set-method
func outgoingRequestSetMethod(r int32, tag int32, p unsafe.Pointer, l int32) int32

//go:wasmimport wasi:http/types@0.2.12 [method]outgoing-request.set-scheme
func outgoingRequestSetScheme(r int32, some int32, tag int32, p unsafe.Pointer, l int32) int32

//go:wasmimport wasi:http/types@0.2.12 [method]outgoing-request.set-authority
func outgoingRequestSetAuthority(r int32, some int32, p unsafe.Pointer, l int32) int32

//go:wasmimport wasi:http/types@0.2.12 [method]outgoing-request.set-path-with-query
func outgoingRequestSetPathWithQuery(r int32, some int32, p unsafe.Pointer, l int32) int32

//go:wasmimport wasi:http/types@0.2.12 [constructor]outgoing-response
func outgoingResponseNew(headers int32) int32

//go:wasmimport wasi:http/types@0.2.12 [method]outgoing-response.set-status-code
func outgoingResponseSetStatusCode(r int32, status int32) int32

//go:wasmimport wasi:http/types@0.2.12 [method]outgoing-response.body
func outgoingResponseBody(r int32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.12 [method]outgoing-body.write
func outgoingBodyWrite(b int32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.12 [static]outgoing-body.finish
func outgoingBodyFinish(b int32, hasTrailers int32, trailers int32, ret unsafe.Pointer)

// result<own<outgoing-response>, error-code> flattened: the discriminant, then the position-wise
// join of both cases' flat types.
//
//go:wasmimport wasi:http/types@0.2.12 [static]response-outparam.set
func responseOutparamSet(o int32, isErr int32, p0 int32, p1 int32, p2 int64, p3 int32, p4 int32, p5 int32, p6 int32)

//go:wasmimport wasi:http/types@0.2.12 [method]incoming-response.status
func incomingResponseStatus(r int32) int32

//go:wasmimport wasi:http/types@0.2.12 [method]incoming-response.consume
func incomingResponseConsume(r int32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.12 [resource-drop]incoming-response
func incomingResponseDrop(r int32)

//go:wasmimport wasi:http/types@0.2.12 [method]future-incoming-response.subscribe
func futureIncomingResponseSubscribe(f int32) int32

//go:wasmimport wasi:http/types@0.2.12 [method]future-incoming-response.get
func futureIncomingResponseGet(f int32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.12 [resource-drop]future-incoming-response
func futureIncomingResponseDrop(f int32)

//go:wasmimport wasi:http/outgoing-handler@0.2.12 handle
func outgoingHandle(request int32, hasOptions int32, options int32, ret unsafe.Pointer)

//go:wasmimport wasi:io/streams@0.2.12 [method]input-stream.blocking-read
func inputStreamBlockingRead(s int32, n int64, ret unsafe.Pointer)

//go:wasmimport wasi:io/streams@0.2.12 [resource-drop]input-stream
func inputStreamDrop(s int32)

//go:wasmimport wasi:io/streams@0.2.12 [method]output-stream.blocking-write-and-flush
func outputStreamBlockingWriteAndFlush(s int32, p unsafe.Pointer, l int32, ret unsafe.Pointer)

//go:wasmimport wasi:io/streams@0.2.12 [resource-drop]output-stream
func outputStreamDrop(s int32)

//go:wasmimport wasi:io/poll@0.2.12 [method]pollable.block
func pollableBlock(p int32)

//go:wasmimport wasi:io/poll@0.2.12 [resource-drop]pollable
func pollableDrop(p int32)

// retArea is a return area big and aligned enough for every result used here (the largest:
// option<result<result<own, error-code>>> with its handle at 24; result<_, error-code> of 40).
type retArea struct {
	_ [0]uint64
	b [48]byte
}

func (r *retArea) ptr() unsafe.Pointer { return unsafe.Pointer(&r.b[0]) }
func (r *retArea) u8(off int) byte     { return r.b[off] }
func (r *retArea) i32(off int) int32 {
	return int32(uint32(r.b[off]) | uint32(r.b[off+1])<<8 | uint32(r.b[off+2])<<16 | uint32(r.b[off+3])<<24)
}

// bytes copies the list at off (pointer, length) that the host placed with cabi_realloc.
func (r *retArea) bytes(off int) []byte {
	n := int(r.i32(off + 4))
	if n == 0 {
		return nil
	}
	p := unsafe.Pointer(uintptr(uint32(r.i32(off))))
	return append([]byte(nil), unsafe.Slice((*byte)(p), n)...)
}

// pinned keeps what cabiImportRealloc handed out reachable, so Go's collector (which does not
// move objects) does not free memory the host writes into; handle releases it after use.
var pinned [][]byte

// The allocator for the results of the imports (strings, lists), exported as
// cabi_import_realloc, which wit-component uses for them. The module's cabi_realloc is another
// one, added by the build for the preview-1 adapter (adapter_area.go): the adapter allocates its
// state while Go's _initialize is still running, and calling into Go then aborts the runtime.
//
//go:wasmexport cabi_import_realloc
func cabiImportRealloc(old uint32, oldSize uint32, align uint32, newSize uint32) uint32 {
	if newSize == 0 {
		return align
	}
	buf := make([]byte, newSize+align)
	p := uintptr(unsafe.Pointer(&buf[0]))
	p = (p + uintptr(align) - 1) &^ (uintptr(align) - 1)
	if oldSize > 0 {
		n := oldSize
		if newSize < n {
			n = newSize
		}
		copy(unsafe.Slice((*byte)(unsafe.Pointer(p)), n), unsafe.Slice((*byte)(unsafe.Pointer(uintptr(old))), n))
	}
	pinned = append(pinned, buf)
	return uint32(p)
}
