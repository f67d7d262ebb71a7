;; A handler importing a WASI preview 1 function that does not exist.
(module
  (import "wasi_snapshot_preview1" "fd_frobnicate" (func $frob (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "wasi:http/incoming-handler@0.2.3#handle") (param i32 i32)
    (drop (call $frob (local.get 0)))))
