;; Passes wruntime:db `query` a parameter whose value case (99) the WIT does not have: the request
;; must fail as an ABI violation naming it, before any SQL runs.
(module
  (import "wruntime:db/database@0.1.0" "query" (func $query (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "SELECT $1::int4")
  (data (i32.const 64) "\63")
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32)
    (call $query (i32.const 16) (i32.const 15) (i32.const 64) (i32.const 1) (i32.const 128))))
