package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * One engine's heartbeat.
 *
 * @param engineId the engine
 * @param incarnationId the process start that sends it; empty when the engine sent none
 * @param observedAt when the engine took it, or null for "when the registry got it"
 * @param modules the reported health of its modules
 */
public record HeartbeatReport(
    String engineId, String incarnationId, Instant observedAt, List<ModuleHealth> modules) {
  public HeartbeatReport {
    requireNonNull(engineId, "engineId");
    requireNonNull(incarnationId, "incarnationId");
    modules = List.copyOf(modules);
  }

  /**
   * The health of one module as its engine observed it.
   *
   * @param detail why it is unhealthy; empty when healthy
   */
  public record ModuleHealth(ModuleKey module, boolean healthy, String detail) {
    public ModuleHealth {
      requireNonNull(module, "module");
      requireNonNull(detail, "detail");
    }
  }
}
