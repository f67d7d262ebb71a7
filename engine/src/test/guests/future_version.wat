;; A handler importing wasi:io/poll at a version the engine does not offer.
(module
  (import "wasi:io/poll@0.3.0" "[method]pollable.ready" (func $ready (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32)
    (drop (call $ready (local.get 0)))))
