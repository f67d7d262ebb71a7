/**
 * The manager (planned; nothing here runs yet): the gRPC {@code ManagerService} of {@code
 * proto/wruntime.proto} on port 9000. It will hold the registry of engines, modules and their
 * schemas, build the versioned routing table and push it to proxies over {@code WatchRoutingTable},
 * mark routes unhealthy when heartbeats grow stale, and serve the admin calls (routing rules,
 * secrets, schedules, managers) that {@code wr-cli} uses. Storage will be in memory by default and
 * PostgreSQL when a database URL is configured; on Kubernetes the registry will be built from
 * {@code WasmModule} resources and ready engine pods through Fabric8 informers.
 */
package io.wruntime.manager;
