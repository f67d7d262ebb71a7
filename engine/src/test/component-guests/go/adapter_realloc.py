#!/usr/bin/env python3
"""Gives the Go guest's core module a cabi_realloc for the preview-1 adapter (adapter_area.go).

    adapter_realloc.py IN.wasm OUT.wasm

Finds the data of Go's `adapterArea` array by the marker at its start and appends to the module a
function written in WebAssembly that hands out that array from its start, bump-pointer style, and
traps once it is used up, plus a mutable global holding the next free address; the function is
exported as `cabi_realloc` (wit-component then gives it to the adapter instead of a memory.grow
allocator) and as `cabi_realloc_adapter`. Nothing of Go runs in it, so the adapter may call it
while Go's _initialize is running. Existing functions and globals keep their indices: only
entries are appended.
"""

import sys

MARKER = b"wruntime:adapter-area:v1"
AREA_SIZE = 4 * 64 * 1024  # adapterAreaSize in adapter_area.go

I32 = 0x7F
SECTION_TYPE, SECTION_IMPORT, SECTION_FUNCTION, SECTION_GLOBAL = 1, 2, 3, 6
SECTION_EXPORT, SECTION_CODE, SECTION_DATA = 7, 10, 11


def fail(message):
    sys.exit("adapter_realloc.py: " + message)


def uleb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def sleb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


class Reader:
    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def leb(self, signed):
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result - (1 << shift) if signed and b & 0x40 else result

    def uleb(self):
        return self.leb(False)

    def sleb(self):
        return self.leb(True)

    def name(self):
        n = self.uleb()
        self.pos += n

    def limits(self):
        flags = self.byte()
        self.uleb()
        if flags & 1:
            self.uleb()


def sections(module):
    if module[:8] != b"\0asm\x01\0\0\0":
        fail("not a core WebAssembly module (expected the header 00 61 73 6d 01 00 00 00)")
    r = Reader(module, 8)
    out = []
    while r.pos < len(module):
        sid = r.byte()
        size = r.uleb()
        out.append([sid, module[r.pos : r.pos + size]])
        r.pos += size
    return out


def vector(payload):
    """The count of a vector section and the bytes of its entries."""
    r = Reader(payload)
    count = r.uleb()
    return count, payload[r.pos :]


def imported_counts(payload):
    """Imported functions and globals (they come first in their index spaces)."""
    r = Reader(payload)
    funcs = globals_ = 0
    for _ in range(r.uleb()):
        r.name()
        r.name()
        kind = r.byte()
        if kind == 0:
            r.uleb()
            funcs += 1
        elif kind == 1:
            r.byte()
            r.limits()
        elif kind == 2:
            r.limits()
        elif kind == 3:
            r.byte()
            r.byte()
            globals_ += 1
        else:
            fail("import of unknown kind %d" % kind)
    return funcs, globals_


def export_names(payload):
    r = Reader(payload)
    names = set()
    for _ in range(r.uleb()):
        n = r.uleb()
        names.add(payload[r.pos : r.pos + n])
        r.pos += n
        r.byte()
        r.uleb()
    return names


def marker_address(payload):
    """The address the data section puts MARKER at; exactly one is expected."""
    r = Reader(payload)
    found = []
    for _ in range(r.uleb()):
        flags = r.uleb()
        if flags == 1:  # passive
            offset = None
        else:
            if flags == 2:
                r.uleb()  # memory index
            elif flags != 0:
                fail("data segment with flags %d" % flags)
            if r.byte() != 0x41:
                fail("a data segment's offset is not an i32.const")
            offset = r.sleb() & 0xFFFFFFFF
            if r.byte() != 0x0B:
                fail("a data segment's offset is not a single i32.const")
        size = r.uleb()
        data = payload[r.pos : r.pos + size]
        at = data.find(MARKER)
        while at >= 0 and offset is not None:
            found.append(offset + at)
            at = data.find(MARKER, at + 1)
        r.pos += size
    if len(found) != 1:
        fail("expected the marker %r of adapterArea once in the data segments, found it %d times"
             % (MARKER.decode(), len(found)))
    return found[0]


def realloc_body(next_global, area_end):
    """(old_ptr, old_size, align, new_size) -> ptr; locals: 4 ptr, 5 end."""
    code = bytearray()
    # Only fresh allocations: the adapter never resizes.
    code += b"\x20\x00\x04\x40\x00\x0b"  # local.get 0; if; unreachable; end
    code += b"\x20\x03" + b"\x41" + sleb(AREA_SIZE) + b"\x4b\x04\x40\x00\x0b"  # new_size > AREA: trap
    # ptr = (next + align - 1) & -align
    code += b"\x23" + uleb(next_global) + b"\x20\x02\x6a\x41\x01\x6b"
    code += b"\x41\x00\x20\x02\x6b\x71\x22\x04"
    # end = ptr + new_size; trap past the area
    code += b"\x20\x03\x6a\x22\x05" + b"\x41" + sleb(area_end) + b"\x4b\x04\x40\x00\x0b"
    code += b"\x20\x05\x24" + uleb(next_global)  # next = end
    code += b"\x20\x04\x0b"  # ptr; end
    locals_ = b"\x01\x02" + bytes([I32])
    body = locals_ + bytes(code)
    return uleb(len(body)) + body


def main():
    if len(sys.argv) != 3:
        fail("usage: adapter_realloc.py IN.wasm OUT.wasm")
    module = open(sys.argv[1], "rb").read()
    secs = sections(module)
    by_id = {}
    for sec in secs:
        if sec[0] != 0:
            by_id[sec[0]] = sec
    names = {SECTION_TYPE: "type", SECTION_FUNCTION: "function", SECTION_GLOBAL: "global",
             SECTION_EXPORT: "export", SECTION_CODE: "code", SECTION_DATA: "data"}
    for needed, name in names.items():
        if needed not in by_id:
            fail("the module has no %s section (expected a Go wasip1 module with adapterArea)" % name)

    area = marker_address(by_id[SECTION_DATA][1])
    imported_funcs, imported_globals = (
        imported_counts(by_id[SECTION_IMPORT][1]) if SECTION_IMPORT in by_id else (0, 0))

    ntypes, types = vector(by_id[SECTION_TYPE][1])
    type_index = ntypes
    by_id[SECTION_TYPE][1] = uleb(ntypes + 1) + types + bytes([0x60, 4, I32, I32, I32, I32, 1, I32])

    nfuncs, funcs = vector(by_id[SECTION_FUNCTION][1])
    func_index = imported_funcs + nfuncs
    by_id[SECTION_FUNCTION][1] = uleb(nfuncs + 1) + funcs + uleb(type_index)

    nglobals, globals_ = vector(by_id[SECTION_GLOBAL][1])
    next_global = imported_globals + nglobals
    by_id[SECTION_GLOBAL][1] = (
        uleb(nglobals + 1) + globals_ + bytes([I32, 1, 0x41]) + sleb(area) + b"\x0b")

    nexports, exports = vector(by_id[SECTION_EXPORT][1])
    added = b""
    for name in (b"cabi_realloc", b"cabi_realloc_adapter"):
        if name in export_names(by_id[SECTION_EXPORT][1]):
            fail("the module already exports %s" % name.decode())
        added += uleb(len(name)) + name + b"\x00" + uleb(func_index)
    by_id[SECTION_EXPORT][1] = uleb(nexports + 2) + exports + added

    ncode, code = vector(by_id[SECTION_CODE][1])
    by_id[SECTION_CODE][1] = uleb(ncode + 1) + code + realloc_body(next_global, area + AREA_SIZE)

    out = bytearray(module[:8])
    for sid, payload in secs:
        out += bytes([sid]) + uleb(len(payload)) + payload
    open(sys.argv[2], "wb").write(out)
    print("adapter_realloc.py: cabi_realloc over adapterArea at 0x%x (%d bytes)" % (area, AREA_SIZE),
          file=sys.stderr)


if __name__ == "__main__":
    main()
