#!/usr/bin/env bash
# Prints each module's imports (module, name, signature) and exports, and fails when a module
# imports anything a wruntime engine does not provide: wasi:*@0.2.* and wasi_snapshot_preview1,
# and the wruntime host interfaces (wit/) at 0.1.x with exactly the functions and signatures of
# their Canonical ABI lowering, listed below. For a module importing wruntime interfaces it
# prints the [module.capabilities.X] keys its [[module]] entry needs to grant.
#
#   sdk/c/check-imports.sh examples/echo/echo.wasm examples/caller/caller.wasm
#   sdk/c/check-imports.sh --list     prints the wruntime functions it accepts
set -euo pipefail

# interface, function name, core signature (as wasm-objdump prints it). The engine registers the
# same functions (WasiHost.interfaces); CheckImportsIT compares this list with the engine's and
# with what wasm-tools lowers from wit/.
WRUNTIME_FUNCTIONS='
wruntime:db/database query (i32, i32, i32, i32, i32) -> nil
wruntime:db/database execute (i32, i32, i32, i32, i32) -> nil
wruntime:db/database query-stream (i32, i32, i32, i32, i32) -> nil
wruntime:db/database begin-transaction (i32) -> nil
wruntime:db/database [method]cursor.columns (i32, i32) -> nil
wruntime:db/database [method]cursor.next-batch (i32, i32, i32) -> nil
wruntime:db/database [resource-drop]cursor (i32) -> nil
wruntime:db/database [method]transaction.query (i32, i32, i32, i32, i32, i32) -> nil
wruntime:db/database [method]transaction.execute (i32, i32, i32, i32, i32, i32) -> nil
wruntime:db/database [method]transaction.query-stream (i32, i32, i32, i32, i32, i32) -> nil
wruntime:db/database [method]transaction.commit (i32, i32) -> nil
wruntime:db/database [method]transaction.rollback (i32, i32) -> nil
wruntime:db/database [resource-drop]transaction (i32) -> nil
wruntime:blobstore/store put (i32, i32, i32, i32, i32, i32, i32, i32, i64, i32) -> nil
wruntime:blobstore/store get (i32, i32, i32, i32, i32) -> nil
wruntime:blobstore/store delete (i32, i32, i32, i32, i32) -> nil
wruntime:blobstore/store list (i32, i32, i32, i32, i32, i32, i32, i32, i32) -> nil
wruntime:blobstore/store head (i32, i32, i32, i32, i32) -> nil
wruntime:blobstore/store [method]outgoing-object.write (i32, i32, i32, i32) -> nil
wruntime:blobstore/store [method]outgoing-object.finish (i32, i32) -> nil
wruntime:blobstore/store [resource-drop]outgoing-object (i32) -> nil
wruntime:blobstore/store [method]incoming-object.meta (i32, i32) -> nil
wruntime:blobstore/store [method]incoming-object.read (i32, i32, i32) -> nil
wruntime:blobstore/store [resource-drop]incoming-object (i32) -> nil
wruntime:tracing/span start (i32, i32, i32) -> nil
wruntime:tracing/span start-root (i32, i32, i32) -> nil
wruntime:tracing/span [method]span.set-attribute (i32, i32, i32, i32, i64, i32) -> nil
wruntime:tracing/span [method]span.record-event (i32, i32, i32, i32, i32) -> nil
wruntime:tracing/span [method]span.set-error (i32, i32, i32) -> nil
wruntime:tracing/span [resource-drop]span (i32) -> nil
wruntime:llm/inference complete (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, f32, i32, i32, i32) -> nil
wruntime:llm/inference complete-stream (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, f32, i32, i32, i32) -> nil
wruntime:llm/inference [method]completion-stream.next (i32, i32) -> nil
wruntime:llm/inference [resource-drop]completion-stream (i32) -> nil
'

if [ "${1:-}" = "--list" ]; then
  awk 'NF { sig = $0; sub(/^[^ ]+ [^ ]+ /, "", sig); printf "%s.%s :: %s\n", $1, $2, sig }' \
    <<<"$WRUNTIME_FUNCTIONS"
  exit 0
fi
if [ "$#" -eq 0 ]; then
  echo "usage: $0 MODULE.wasm... | $0 --list" >&2
  exit 2
fi

# Checks one "wruntime:<pkg>/<iface>@<version>.<name> :: <signature>" import; prints what is
# wrong, or nothing when the engine provides it.
wruntime_problem() {
  awk -v line="$1" '
    BEGIN {
      if (!match(line, /^wruntime:[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*@/)) {
        print "not a wruntime interface"; exit
      }
      iface = substr(line, 1, RLENGTH - 1)
      rest = substr(line, RLENGTH + 1)
      sep = index(rest, " :: ")
      head = substr(rest, 1, sep - 1); sig = substr(rest, sep + 4)
      # the version, then "." and the function name (which may itself contain dots)
      if (!match(head, /^[0-9]+\.[0-9]+\.[0-9]+\./)) { print "no version"; exit }
      version = substr(head, 1, RLENGTH - 1); name = substr(head, RLENGTH + 1)
    }
    NF {
      if ($1 == iface) { known = 1; names = names (names == "" ? "" : ", ") $2 }
      if ($1 == iface && $2 == name) { found = 1; expected = $0; sub(/^[^ ]+ [^ ]+ /, "", expected) }
    }
    END {
      if (!known) {
        printf "%s is not a wruntime host interface (expected: wruntime:db/database, wruntime:blobstore/store, wruntime:tracing/span or wruntime:llm/inference)\n", iface
      } else if (version !~ /^0\.1\.[0-9]+$/) {
        printf "%s@%s: version %s (expected: 0.1.x)\n", iface, version, version
      } else if (!found) {
        printf "%s has no function %s (expected one of: %s)\n", iface, name, names
      } else if (sig != expected) {
        printf "%s %s has signature %s (expected: %s)\n", iface, name, sig, expected
      }
    }
  ' <<<"$WRUNTIME_FUNCTIONS"
}
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
  grants=""
  while IFS= read -r line; do
    case "$line" in
      "import wasi_snapshot_preview1."* | "import wasi:"*@0.2.*) ;;
      "import wruntime:"*)
        problem=$(wruntime_problem "${line#import }")
        if [ -n "$problem" ]; then
          echo "check-imports: $module: ${line#import }: $problem" >&2
          status=1
        else
          package=${line#import wruntime:}
          package=${package%%/*}
          case " $grants " in
            *" [module.capabilities.$package] "*) ;;
            *) grants="${grants:+$grants }[module.capabilities.$package]" ;;
          esac
        fi
        ;;
      "import "*)
        echo "check-imports: $module: import outside wasi:*@0.2.*, wasi_snapshot_preview1 and wruntime:*@0.1.*: ${line#import }" >&2
        status=1
        ;;
    esac
  done <<<"$report"
  if [ -n "$grants" ]; then
    echo "grants needed: $grants"
  fi
  for required in "export _initialize" "export cabi_realloc" \
    "export wasi:http/incoming-handler@0.2.0#handle"; do
    if ! grep -qxF "$required" <<<"$report"; then
      echo "check-imports: $module: missing ${required}" >&2
      status=1
    fi
  done
done
exit "$status"
