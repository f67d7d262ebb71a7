#!/usr/bin/env bash
# Builds the engine's test components from core guests this build made, with the tools real users
# run: `wasm-tools component embed` (a wasi:http proxy world) and `wasm-tools component new --adapt
# wasi_snapshot_preview1=<jco's reactor adapter>`. The WIT files and the adapter come from
# @bytecodealliance/jco (npm, pinned below), cached in ~/.cache/wruntime/npm/jco.
#
# Without wasm-tools or npm it prints why and builds nothing; the tests that need the components
# are then skipped with that reason.
#
#   build.sh OUT_DIR ROOT
set -euo pipefail

OUT=${1:?output directory}
ROOT=${2:?repository root}
JCO_VERSION=1.35.0
CACHE=${WR_CACHE:-$HOME/.cache/wruntime}
JCO_PREFIX=$CACHE/npm/jco
JCO=$JCO_PREFIX/node_modules/@bytecodealliance/jco

WASM_TOOLS=${WASM_TOOLS:-}
if [[ -z $WASM_TOOLS ]]; then
  if [[ -x $CACHE/wasm-tools/bin/wasm-tools ]]; then
    WASM_TOOLS=$CACHE/wasm-tools/bin/wasm-tools
  else
    WASM_TOOLS=$(command -v wasm-tools || true)
  fi
fi
if [[ -z $WASM_TOOLS || ! -x $WASM_TOOLS ]]; then
  echo "test components: not built: wasm-tools not found (WASM_TOOLS, $CACHE/wasm-tools or PATH; bin/setup-toolchain installs it)"
  exit 0
fi

if [[ ! -f $JCO/package.json ]] || ! grep -q "\"version\": \"$JCO_VERSION\"" "$JCO/package.json"; then
  if ! command -v npm >/dev/null; then
    echo "test components: not built: npm not found (needed once for @bytecodealliance/jco@$JCO_VERSION)"
    exit 0
  fi
  echo "test components: installing @bytecodealliance/jco@$JCO_VERSION into $JCO_PREFIX"
  if ! npm install --silent --no-audit --no-fund --prefix "$JCO_PREFIX" "@bytecodealliance/jco@$JCO_VERSION" >&2; then
    echo "test components: not built: npm install @bytecodealliance/jco@$JCO_VERSION failed"
    exit 0
  fi
fi
ADAPTER=$JCO/lib/wasi_snapshot_preview1.reactor.wasm
WIT_SOURCE=$JCO/lib/wit/builtin/0.2.12

mkdir -p "$OUT"
# The C guests import wasi:*@0.2.0; jco ships the 0.2.12 WIT of the same interfaces, which is
# 0.2.0 plus @since-gated additions, so the world is renamed to the version the guests import.
WIT=$OUT/wit
rm -rf "$WIT"
mkdir -p "$WIT/deps"
cp -r "$WIT_SOURCE"/* "$WIT/deps/"
find "$WIT/deps" -name '*.wit' -exec sed -i 's/@0\.2\.12/@0.2.0/g; s/^package \(wasi:[a-z-]*\)@0\.2\.12;/package \1@0.2.0;/' {} +
cat > "$WIT/world.wit" <<'WIT'
package wruntime:test-components;

world guest {
  include wasi:http/proxy@0.2.0;
}
WIT

build() { # name core.wasm
  local name=$1 core=$2
  local out=$OUT/$name.component.wasm
  if [[ -f $out && $out -nt $core && $out -nt $ADAPTER && $out -nt $0 ]]; then
    return
  fi
  "$WASM_TOOLS" component embed "$WIT" --world guest "$core" -o "$OUT/$name.embedded.wasm"
  "$WASM_TOOLS" component new "$OUT/$name.embedded.wasm" \
    --adapt "wasi_snapshot_preview1=$ADAPTER" -o "$out"
  rm -f "$OUT/$name.embedded.wasm"
  echo "test components: built $out"
}

# An interface no engine provides, for the missing-interface load error.
mkdir -p "$WIT/deps/missing"
cat > "$WIT/deps/missing/missing.wit" <<'WIT'
package example:missing@0.1.0;

interface nowhere {
  hello: func();
}
WIT
cat >> "$WIT/world.wit" <<'WIT'

world missing {
  import example:missing/nowhere@0.1.0;
  export wasi:http/incoming-handler@0.2.0;
}
WIT

HERE=$(cd "$(dirname "$0")" && pwd)
"$WASM_TOOLS" parse "$HERE/missing_interface.wat" -o "$OUT/missing_interface.core.wasm"
"$WASM_TOOLS" component embed "$WIT" --world missing "$OUT/missing_interface.core.wasm" \
  -o "$OUT/missing_interface.embedded.wasm"
"$WASM_TOOLS" component new "$OUT/missing_interface.embedded.wasm" \
  -o "$OUT/missing_interface.component.wasm"
rm -f "$OUT/missing_interface.core.wasm" "$OUT/missing_interface.embedded.wasm"
# Components written in the text format, for the unsupported-feature load errors.
for wat in utf16_lowering own_resource; do
  "$WASM_TOOLS" parse "$HERE/$wat.wat" -o "$OUT/$wat.component.wasm"
done

build echo "$ROOT/examples/echo/echo.wasm"
build caller "$ROOT/examples/caller/caller.wasm"
build misbehaving "$ROOT/engine/target/test-guests/misbehaving.wasm"
build init_state "$ROOT/engine/target/test-guests/init_state.wasm"

