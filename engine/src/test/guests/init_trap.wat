;; A handler whose _initialize traps (unreachable): the engine reports it failed at load, with the
;; trap, instead of ready.
(module
  (memory (export "memory") 1)
  (func (export "_initialize") unreachable)
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32)))
