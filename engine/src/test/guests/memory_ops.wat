;; Linear-memory operations for CompiledModuleTest: a one-page memory with a data segment, and
;; exports that grow, load and store it, so a test can check limits, growth failure and traps.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "\2a\00\00\00")
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
  (func (export "size") (result i32)
    (memory.size))
  (func (export "load") (param i32) (result i32)
    (i32.load (local.get 0)))
  (func (export "store") (param i32 i32)
    (i32.store (local.get 0) (local.get 1))))
