package io.wruntime.manager;

import static java.util.Objects.requireNonNull;

import io.wruntime.manager.grpc.ProtoMapping;
import io.wruntime.manager.registry.ClusterRoute;
import io.wruntime.manager.registry.ModuleKey;
import io.wruntime.manager.registry.Registry;
import io.wruntime.manager.registry.RegistryStats;
import io.wruntime.manager.registry.Schema;
import io.wruntime.proto.v1.DeregisterEngineResponse;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.EngineInfo;
import io.wruntime.proto.v1.GetSchemaResponse;
import io.wruntime.proto.v1.HeartbeatResponse;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.RegisterEngineRequest;
import io.wruntime.proto.v1.RegisterEngineResponse;
import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.RoutingTable;
import io.wruntime.proto.v1.ServiceInfo;
import io.wruntime.proto.v1.UpsertRoutingRuleResponse;
import java.util.List;
import java.util.Map;

/**
 * A {@link Registry} driven with ManagerService messages through the service edge's {@link
 * ProtoMapping}, without gRPC: the registry's tests state requests and expected answers as the wire
 * shows them.
 */
public final class ProtoRegistry {
  private final Registry registry;

  public ProtoRegistry(Registry registry) {
    this.registry = requireNonNull(registry, "registry");
  }

  public Registry domain() {
    return registry;
  }

  public RegisterEngineResponse register(RegisterEngineRequest request) {
    return ProtoMapping.registered(registry.register(ProtoMapping.registration(request)));
  }

  public DeregisterEngineResponse deregister(String engineId) {
    return DeregisterEngineResponse.newBuilder()
        .setRoutingTableVersion(registry.deregister(engineId))
        .build();
  }

  public long deregister(String engineId, String incarnationId, String callerNode) {
    return registry.deregister(engineId, incarnationId, callerNode);
  }

  public HeartbeatResponse heartbeat(List<EngineHeartbeat> heartbeats) {
    return ProtoMapping.heartbeatResponse(registry.heartbeat(ProtoMapping.heartbeats(heartbeats)));
  }

  public boolean checkHealth() {
    return registry.checkHealth();
  }

  public long version() {
    return registry.version();
  }

  public RoutingTable routingTable() {
    return ProtoMapping.table(registry.routingTable());
  }

  public long removeEngine(String engineId) {
    return registry.removeEngine(engineId);
  }

  public boolean syncCluster(List<ClusterRoute> routes, Map<ModuleKey, Schema> schemas) {
    return registry.syncCluster(routes, schemas);
  }

  public UpsertRoutingRuleResponse upsertRule(RoutingRule rule) {
    Registry.StoredRule stored = registry.upsertRule(ProtoMapping.rule(rule));
    return UpsertRoutingRuleResponse.newBuilder()
        .setRule(ProtoMapping.rule(stored.rule()))
        .setRoutingTableVersion(stored.version())
        .build();
  }

  public long deleteRule(String namespace, String module) {
    return registry.deleteRule(namespace, module);
  }

  public GetSchemaResponse schema(ModuleRef ref) {
    ModuleKey key = ProtoMapping.key(ref);
    return GetSchemaResponse.newBuilder()
        .setModule(ref)
        .setFileDescriptorSet(registry.schema(key).bytes())
        .build();
  }

  public List<EngineInfo> engines(String node, String namespace) {
    return registry.engines(node, namespace).stream().map(ProtoMapping::engine).toList();
  }

  public EngineInfo engine(String engineId) {
    return ProtoMapping.engine(registry.engine(engineId));
  }

  public List<ServiceInfo> services(String namespace) {
    return registry.services(namespace).stream().map(ProtoMapping::service).toList();
  }

  public ServiceInfo service(String namespace, String name) {
    return ProtoMapping.service(registry.service(namespace, name));
  }

  public RegistryStats stats() {
    return registry.stats();
  }

  public void addListener(Runnable listener) {
    registry.addListener(listener);
  }
}
