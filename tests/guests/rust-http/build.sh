#!/usr/bin/env bash
# Builds the Rust wasi:http guest (src/lib.rs, with the component guest's wasi_http_abi.rs) into target/rust_http.wasm: a core WebAssembly
# module, WASI preview-1 reactor, compiled as a plain `cdylib` for wasm32-wasi with no Cargo and
# no crates, then checks its imports and exports (with their signatures) against abi.txt.
#
#   tests/guests/rust-http/build.sh            build when src/lib.rs or this script changed
#   RUSTC=/path/to/rustc tests/guests/rust-http/build.sh
#
# Needs a rustc whose sysroot has the wasm32-wasi standard library (Debian: rustc and
# libstd-rust-dev-wasm32, which bin/setup-toolchain installs; rustup: `rustup target add
# wasm32-wasip1`). A rustup rustc without wasm targets that comes first on PATH is skipped.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$here/src/lib.rs
# The imports and cabi_realloc, shared with the Rust component guest (src/lib.rs includes it).
shared=$here/../../../engine/src/test/component-guests/rust/wasi_http_abi.rs
abi=$here/abi.txt
out=$here/target/rust_http.wasm

if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$shared" ] && [ "$out" -nt "${BASH_SOURCE[0]}" ] &&
  [ "$out" -nt "$abi" ]; then
  exit 0
fi

# The first rustc (RUSTC, /usr/bin/rustc, then every rustc on PATH) with a wasm32-wasi sysroot.
rustc="" target="" sysroot=""
for candidate in ${RUSTC:+"$RUSTC"} /usr/bin/rustc $(type -ap rustc 2>/dev/null || true); do
  [ -x "$candidate" ] || continue
  root=$("$candidate" --print sysroot 2>/dev/null) || continue
  for t in wasm32-wasi wasm32-wasip1; do
    if [ -d "$root/lib/rustlib/$t/lib" ]; then
      rustc=$candidate target=$t sysroot=$root
      break 2
    fi
  done
done
if [ -z "$rustc" ]; then
  echo "rust-http: no rustc with the wasm32-wasi standard library found (tried \$RUSTC, /usr/bin/rustc and PATH):" >&2
  echo "  run bin/setup-toolchain (installs Debian's rustc and libstd-rust-dev-wasm32)," >&2
  echo "  or set RUSTC to a rustc whose sysroot has lib/rustlib/wasm32-wasi (rustup target add wasm32-wasip1)" >&2
  exit 1
fi

# crt1-reactor.o makes the module a reactor: it defines _initialize (runs constructors once),
# which the engine calls before anything else. Without it wasm-ld wraps every export in a
# constructor/destructor pair, as for a command.
reactor=""
for f in "$sysroot/lib/rustlib/$target/lib/self-contained/crt1-reactor.o" /usr/lib/wasm32-wasi/crt1-reactor.o; do
  if [ -f "$f" ]; then
    reactor=$f
    break
  fi
done
if [ -z "$reactor" ]; then
  echo "rust-http: crt1-reactor.o not found in $sysroot/lib/rustlib/$target/lib/self-contained or /usr/lib/wasm32-wasi (install wasi-libc)" >&2
  exit 1
fi

mkdir -p "$here/target"
tmp=$(mktemp "$here/target/rust_http.XXXXXX")
trap 'rm -f "$tmp"' EXIT
echo "rust-http: $rustc ($("$rustc" --version)) --target $target" >&2
"$rustc" --edition 2021 --crate-type cdylib --crate-name rust_http --target "$target" -O \
  -C "link-arg=$reactor" -C link-arg=--export=_initialize -C link-arg=--strip-debug \
  -o "$tmp" "$src"

# Imports (module.name :: signature) and exports of the module, sorted, against abi.txt: the
# Canonical ABI lowering wit-bindgen emits for each function this guest uses.
if command -v wasm-objdump >/dev/null 2>&1; then
  actual=$(wasm-objdump -x "$tmp" | awk '
    /^Type\[/   { section = "type"; next }
    /^Import\[/ { section = "import"; next }
    /^Export\[/ { section = "export"; next }
    /^[A-Z][A-Za-z]*\[/ { section = ""; next }
    section == "type" && /^ - type\[/ {
      idx = $2; sub(/^type\[/, "", idx); sub(/\]$/, "", idx)
      sig = $0; sub(/^ - type\[[0-9]+\] /, "", sig)
      types[idx] = sig
    }
    section == "import" && /^ - func\[/ {
      s = $3; sub(/^sig=/, "", s)
      full = $0; sub(/.* <- /, "", full)
      printf "import %s :: %s\n", full, types[s]
    }
    section == "export" && /^ - / {
      name = $0; sub(/.* -> /, "", name); gsub(/"/, "", name)
      printf "export %s\n", name
    }
  ' | LC_ALL=C sort)
  if ! diff -u <(grep -v '^#' "$abi" | LC_ALL=C sort) <(printf '%s\n' "$actual") >&2; then
    echo "rust-http: the module's imports/exports differ from $abi (- expected, + built)" >&2
    exit 1
  fi
else
  echo "rust-http: wasm-objdump (wabt) not found: imports and exports not checked against abi.txt" >&2
fi
mv "$tmp" "$out"
trap - EXIT
