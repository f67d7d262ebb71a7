;; Imports wruntime:tracing at 0.2.0: the wruntime interfaces are at 0.1, so it does not link
;; even when the module is granted tracing.
(module
  (import "wruntime:tracing/span@0.2.0" "[resource-drop]span" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32)))
