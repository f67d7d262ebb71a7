package main

// adapterArea is the memory the preview-1 adapter keeps its state and shadow stack in.
//
// Without a cabi_realloc in the main module, wit-component gives the adapter one built on
// memory.grow: it takes the pages past the current end of the memory. Go's runtime on wasm ignores
// what memory.grow answers and assumes every address from the end of its own heap upwards is its to
// use (runtime.sbrk), so its heap later grows over the adapter's pages and overwrites its state: the
// guest crashed after a few MB of body. Go code cannot serve as the adapter's allocator either: the
// adapter allocates during Go's _initialize, and a call into a //go:wasmexport function while the
// runtime initializes aborts it.
//
// So the build (bin/build-component-guests, adapter_realloc.py) adds to the core module a
// cabi_realloc written in WebAssembly, not Go, that hands out this array, found by the marker at
// its start. It is in Go's data, below the heap, and Go code never touches it.
var adapterArea = [adapterAreaSize]byte{
	'w', 'r', 'u', 'n', 't', 'i', 'm', 'e', ':', 'a', 'd', 'a', 'p', 't', 'e', 'r',
	'-', 'a', 'r', 'e', 'a', ':', 'v', '1',
}

// The adapter takes one 64 KiB page for its state and one for its stack; two more to spare.
const adapterAreaSize = 4 * 64 * 1024

// adapterAreaRef keeps the array in the binary (the linker drops data no code refers to).
var adapterAreaRef *[adapterAreaSize]byte

func init() { adapterAreaRef = &adapterArea }
