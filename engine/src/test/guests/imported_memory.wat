;; A handler that imports its memory instead of defining it.
(module
  (import "env" "memory" (memory 1))
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32)))
