package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * A registered engine as the registry sees it now.
 *
 * @param alive not deregistered and its heartbeat is fresh
 * @param lastHeartbeat null before the first heartbeat
 */
public record EngineStatus(
    String engineId,
    String incarnationId,
    NodeRef node,
    String address,
    boolean alive,
    boolean deregistered,
    Instant registeredAt,
    Instant lastHeartbeat,
    List<ModuleStatus> modules) {
  public EngineStatus {
    requireNonNull(engineId, "engineId");
    requireNonNull(incarnationId, "incarnationId");
    requireNonNull(node, "node");
    requireNonNull(address, "address");
    requireNonNull(registeredAt, "registeredAt");
    modules = List.copyOf(modules);
  }

  /**
   * One module of the engine: its route's health.
   *
   * @param detail why the route is unhealthy; empty when healthy
   * @param lastHeartbeat null before the first health report
   */
  public record ModuleStatus(
      ModuleKey module, boolean healthy, String detail, boolean hasSchema, Instant lastHeartbeat) {
    public ModuleStatus {
      requireNonNull(module, "module");
      requireNonNull(detail, "detail");
    }
  }
}
