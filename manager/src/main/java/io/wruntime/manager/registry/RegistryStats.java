package io.wruntime.manager.registry;

/**
 * Counts of what the registry holds, for gauges.
 *
 * @param routingTableVersion the current routing-table version
 * @param engines registered engines
 * @param healthyEngines engines with a fresh heartbeat that have not deregistered
 * @param deregisteredEngines engines that deregistered and have not registered again
 * @param routes routes of registered modules
 * @param healthyRoutes routes that may receive traffic
 * @param rules admin routing rules
 * @param schemas stored schemas (module versions with one)
 * @param services services (namespace, module) ever registered
 */
public record RegistryStats(
    long routingTableVersion,
    int engines,
    int healthyEngines,
    int deregisteredEngines,
    int routes,
    int healthyRoutes,
    int rules,
    int schemas,
    int services) {}
