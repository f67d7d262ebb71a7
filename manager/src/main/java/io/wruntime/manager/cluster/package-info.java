/**
 * Cluster mode: the routing table built from WasmModules, engine pods and the operator's
 * ConfigMaps. {@link io.wruntime.manager.cluster.ClusterRoutes} is the pure mapping, {@link
 * io.wruntime.manager.cluster.ClusterWatch} the informers that feed it.
 */
package io.wruntime.manager.cluster;
