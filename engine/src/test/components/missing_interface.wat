;; A core module that imports an interface no engine provides (example:missing/nowhere), made into
;; a component with the `missing` world of build.sh.
(module
  (import "example:missing/nowhere@0.1.0" "hello" (func $hello))
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 8)
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32) call $hello))
