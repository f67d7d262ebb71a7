/**
 * The Kubernetes operator (planned; no reconciler yet): a Java Operator SDK reconciler that turns
 * each {@code WasmModule} into its dependent resources, one class each: a ConfigMap with the engine
 * configuration and schema, a Deployment whose pods run the engine and proxy containers side by
 * side, and a Service for the proxy's peer port. Desired state will be built by pure functions of
 * the resource so it can be tested without a cluster; owner references collect the garbage, and the
 * status is patched only when it changed.
 */
package io.wruntime.operator;
