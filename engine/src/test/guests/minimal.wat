;; The smallest handler the loader accepts: a memory and the handle export, no imports; the
;; handle export loops forever when its first argument is 7 (an interrupt test), else returns.
(module
  (memory (export "memory") 1)
  (func (export "_initialize"))
  (func (export "wasi:http/incoming-handler@0.2.10#handle") (param i32 i32)
    (if (i32.eq (local.get 0) (i32.const 7))
      (then (loop $forever (br $forever))))))
