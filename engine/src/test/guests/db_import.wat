;; A handler that imports wruntime:db: it loads only where [module.capabilities.db] grants it, and a
;; load without the grant names the import and the key that grants it.
(module
  (import "wruntime:db/database@0.1.0" "query" (func (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32)))
