/**
 * The manager: the gRPC {@code ManagerService} of {@code proto/wruntime.proto} (default port 9000)
 * over an in-memory registry of engines, modules, schemas, routing rules and secrets. It builds the
 * versioned routing table, pushes it to proxies over {@code WatchRoutingTable}, and marks routes
 * unhealthy when heartbeats grow stale.
 *
 * <p>{@link io.wruntime.manager.ManagerMain} is the {@code wr-manager} command; {@link
 * io.wruntime.manager.Manager} wires a running manager together. Sub-packages: {@code config}
 * ({@code manager.toml}), {@code registry} (state and health), {@code grpc} (the service, request
 * validation, watch streams), {@code server} (the gRPC server and its shutdown), {@code admin}
 * ({@code /healthz}, {@code /readyz}, {@code /metrics}), {@code cluster} (cluster mode: routes from
 * {@code WasmModule} resources and engine pods, through Fabric8 informers).
 *
 * <p>Planned: the PostgreSQL store (durable schemas, encrypted secrets, schedules, several
 * managers).
 */
package io.wruntime.manager;
