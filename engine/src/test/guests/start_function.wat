;; A module with a start function: it runs in every instance, so instances cannot start from a
;; snapshot; each request runs the start function and _initialize.
(module
  (memory (export "memory") 1)
  (func $start (i32.store (i32.const 8) (i32.add (i32.load (i32.const 8)) (i32.const 1))))
  (start $start)
  (func (export "_initialize")
    (i32.store (i32.const 4) (i32.add (i32.load (i32.const 4)) (i32.const 1))))
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32))
  (func (export "init_runs") (result i32) (i32.load (i32.const 4)))
  (func (export "start_runs") (result i32) (i32.load (i32.const 8))))
