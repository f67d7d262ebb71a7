;; A handler whose _initialize never returns: the engine stops it at load and reports the module
;; failed, instead of hanging its start.
(module
  (memory (export "memory") 1)
  (func (export "_initialize") (loop $forever (br $forever)))
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32)))
