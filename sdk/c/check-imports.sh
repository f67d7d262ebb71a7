#!/usr/bin/env bash
# Prints each module's imports (module, name, signature) and exports, and fails when a module
# imports from anything other than wasi:*@0.2.* or wasi_snapshot_preview1: the interfaces a
# wruntime engine provides to a module that was granted no extra capability.
#
#   sdk/c/check-imports.sh examples/echo/echo.wasm examples/caller/caller.wasm
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 MODULE.wasm..." >&2
  exit 2
fi
if ! command -v wasm-objdump >/dev/null 2>&1; then
  echo "check-imports: wasm-objdump not found (install wabt, e.g. apt-get install wabt)" >&2
  exit 2
fi

status=0
for module in "$@"; do
  if [ ! -f "$module" ]; then
    echo "check-imports: $module: no such file" >&2
    status=1
    continue
  fi
  details=$(wasm-objdump -x "$module")
  # Type lines look like: " - type[13] (i32, i32, i64) -> nil"
  # Import lines like:    " - func[28] sig=13 <...> <- wasi:http/types@0.2.0.[static]response-outparam.set"
  report=$(awk '
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
    section == "import" && /^ - (memory|table|global)\[/ {
      full = $0; sub(/.* <- /, "", full)
      printf "import %s :: (%s)\n", full, $2
    }
    section == "export" && /^ - / {
      name = $0; sub(/.* -> /, "", name); gsub(/"/, "", name)
      printf "export %s\n", name
    }
  ' <<<"$details")
  echo "== $module"
  printf '%s\n' "$report"
  while IFS= read -r line; do
    case "$line" in
      "import wasi_snapshot_preview1."* | "import wasi:"*@0.2.*) ;;
      "import "*)
        echo "check-imports: $module: import outside wasi:*@0.2.* and wasi_snapshot_preview1: ${line#import }" >&2
        status=1
        ;;
    esac
  done <<<"$report"
  for required in "export _initialize" "export cabi_realloc" \
    "export wasi:http/incoming-handler@0.2.0#handle"; do
    if ! grep -qxF "$required" <<<"$report"; then
      echo "check-imports: $module: missing ${required}" >&2
      status=1
    fi
  done
done
exit "$status"
