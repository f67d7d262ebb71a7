;; A component that defines a resource type of its own and creates handles of it (canon
;; resource.new): guest-defined resources, which the engine does not support.
(component
  (type $thing (resource (rep i32)))
  (core func (canon resource.new $thing)))
