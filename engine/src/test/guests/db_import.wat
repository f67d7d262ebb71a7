;; A handler that imports wruntime:db (a host capability the engine defines but does not
;; implement yet): it must fail to load, naming the import and the key that grants it.
(module
  (import "wruntime:db/database@0.1.0" "query" (func (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32)))
