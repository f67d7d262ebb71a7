package io.wruntime.proxy.http;

import static java.util.Objects.requireNonNull;

import io.wruntime.proxy.admin.ProxyMetrics;
import io.wruntime.proxy.balance.LoadBalancer;
import io.wruntime.proxy.config.ProxyConfig;
import io.wruntime.proxy.routing.Router;
import io.wruntime.proxy.telemetry.ProxyTracing;
import io.wruntime.proxy.validation.SchemaCache;
import java.util.function.BooleanSupplier;

/**
 * What every connection of the proxy's listeners shares: routing, load balancing, the upstream
 * pool, schemas, telemetry and metrics.
 *
 * @param router resolves destinations against the current routing table
 * @param balancer chooses instances and holds the circuit breakers
 * @param schemas the schemas of module versions, for validation
 * @param tracing spans and trace-context propagation
 * @param metrics request counts and latencies
 * @param buffered bytes of bodies held in memory
 * @param hasTable whether the first routing table arrived
 * @param timeouts connect, idle and response timeouts
 * @param validation validation mode and body limit
 * @param managerAddress the manager, for messages
 */
public record Forwarding(
    Router router,
    LoadBalancer balancer,
    SchemaCache schemas,
    ProxyTracing tracing,
    ProxyMetrics metrics,
    BufferedBytes buffered,
    BooleanSupplier hasTable,
    ProxyConfig.Timeouts timeouts,
    ProxyConfig.Validation validation,
    String managerAddress) {
  public Forwarding {
    requireNonNull(router, "router");
    requireNonNull(balancer, "balancer");
    requireNonNull(schemas, "schemas");
    requireNonNull(tracing, "tracing");
    requireNonNull(metrics, "metrics");
    requireNonNull(buffered, "buffered");
    requireNonNull(hasTable, "hasTable");
    requireNonNull(timeouts, "timeouts");
    requireNonNull(validation, "validation");
    requireNonNull(managerAddress, "managerAddress");
  }
}
