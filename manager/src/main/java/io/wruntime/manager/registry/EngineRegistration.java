package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What an engine registers: itself, where it runs and its modules.
 *
 * @param engineId the engine's stable id
 * @param incarnationId this process start of the engine; empty when the engine sent none
 * @param node the node it runs on
 * @param address where its own proxy reaches it
 * @param modules the modules it runs, each version once
 */
public record EngineRegistration(
    String engineId,
    String incarnationId,
    NodeRef node,
    String address,
    List<ModuleDeclaration> modules) {
  public EngineRegistration {
    requireNonNull(engineId, "engineId");
    requireNonNull(incarnationId, "incarnationId");
    requireNonNull(node, "node");
    requireNonNull(address, "address");
    modules = List.copyOf(modules);
  }
}
