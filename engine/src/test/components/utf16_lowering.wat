;; A component whose canon lower asks for string-encoding=utf16 (the engine lowers utf8 only).
(component
  (import "wasi:cli/environment@0.2.0" (instance $env
    (export "get-environment" (func (result (list (tuple string string)))))))
  (core module $m
    (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8))
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $memory))
  (alias core export $i "realloc" (core func $realloc))
  (core func (canon lower (func $env "get-environment")
    (memory $memory) (realloc $realloc) string-encoding=utf16)))
