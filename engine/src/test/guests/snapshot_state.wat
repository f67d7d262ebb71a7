;; State set by _initialize, for SnapshotIT: _initialize counts its runs in memory, raises a
;; mutable global, grows the memory by a page and writes there, and points table slot 1 at $two.
;; Every request must see exactly that state, whatever earlier requests changed.
(module
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (table $t 2 funcref)
  (elem (i32.const 0) $one)
  (elem declare func $two)
  (data (i32.const 16) "\2a\00\00\00")
  (type $ret (func (result i32)))
  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (func (export "_initialize")
    ;; init_runs at 32, incremented
    (i32.store (i32.const 32) (i32.add (i32.load (i32.const 32)) (i32.const 1)))
    (global.set $g (i32.const 100))
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 65540) (i32.const 77))
    (table.set $t (i32.const 1) (ref.func $two)))
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32))
  (func (export "init_runs") (result i32) (i32.load (i32.const 32)))
  (func (export "global") (result i32) (global.get $g))
  (func (export "slot") (param i32) (result i32) (call_indirect (type $ret) (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  ;; Grows one page at a time, n times, as malloc building a heap in small steps; returns the size.
  (func (export "grow_each") (param $n i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (drop (memory.grow (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (memory.size))
  (func (export "grow_table") (result i32) (table.grow $t (ref.null func) (i32.const 1)))
  (func (export "table_size") (result i32) (table.size $t))
  (func (export "trap") (unreachable))
  (func (export "spin") (loop (br 0)))
  ;; Changes everything a request can change, returns the value at 16 after the change.
  (func (export "scribble") (result i32)
    (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 1)))
    (i32.store (i32.const 65540) (i32.const 0))
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (table.set $t (i32.const 1) (ref.func $two))
    (table.set $t (i32.const 0) (ref.null func))
    (drop (memory.grow (i32.const 1)))
    (i32.load (i32.const 16))))
