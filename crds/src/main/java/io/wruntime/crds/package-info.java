/**
 * The Kubernetes custom resources (planned; no resource classes yet): the Java model of the
 * namespaced {@code WasmModule} resource of group {@code wruntime.io}, version {@code v1alpha1}, in
 * {@code io.wruntime.crds.v1alpha1}, with a documented spec (module name, logical namespace,
 * version, source, schema, replicas, capabilities, limits, env) and a status carrying {@code
 * observedGeneration}, ready replicas and {@code Ready}/{@code Progressing}/{@code Degraded}
 * conditions. The CRD YAML will be generated from these classes at build time and copied into the
 * Helm chart.
 */
package io.wruntime.crds;
