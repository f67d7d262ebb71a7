;; An _initialize that keeps a host resource (the stdout stream) for later requests: its instances
;; cannot start from a snapshot (the handle would not exist in the request's instance), so every
;; request runs _initialize.
(module
  (import "wasi:cli/stdout@0.2.0" "get-stdout" (func $get_stdout (result i32)))
  (memory (export "memory") 1)
  (func (export "_initialize")
    (i32.store (i32.const 0) (call $get_stdout))
    (i32.store (i32.const 4) (i32.add (i32.load (i32.const 4)) (i32.const 1))))
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32))
  (func (export "init_runs") (result i32) (i32.load (i32.const 4)))
  (func (export "stdout_handle") (result i32) (i32.load (i32.const 0))))
