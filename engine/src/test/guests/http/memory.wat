;; Linear memory and a bump cabi_realloc: enough for host functions to read and write guest memory
;; in unit tests. Allocations start at 4096; 0..4095 is scratch space for return areas and inputs.
(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 4096))
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32)
        (param $size i32) (result i32)
    (local $ptr i32)
    ;; ptr = (next + align - 1) & -align
    (local.set $ptr
      (i32.and
        (i32.sub (i32.add (global.get $next) (local.get $align)) (i32.const 1))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $next (i32.add (local.get $ptr) (local.get $size)))
    (local.get $ptr)))
