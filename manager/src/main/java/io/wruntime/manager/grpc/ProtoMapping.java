package io.wruntime.manager.grpc;

import static java.util.Objects.requireNonNull;

import io.wruntime.manager.registry.EngineRegistration;
import io.wruntime.manager.registry.EngineStatus;
import io.wruntime.manager.registry.HeartbeatReport;
import io.wruntime.manager.registry.HeartbeatResult;
import io.wruntime.manager.registry.ModuleDeclaration;
import io.wruntime.manager.registry.ModuleKey;
import io.wruntime.manager.registry.NodeRef;
import io.wruntime.manager.registry.RegistrationResult;
import io.wruntime.manager.registry.RoutingTableSnapshot;
import io.wruntime.manager.registry.Rule;
import io.wruntime.manager.registry.Schema;
import io.wruntime.manager.registry.Secrets;
import io.wruntime.manager.registry.ServiceKey;
import io.wruntime.manager.registry.ServiceStatus;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.EngineInfo;
import io.wruntime.proto.v1.HeartbeatResponse;
import io.wruntime.proto.v1.ModuleGrant;
import io.wruntime.proto.v1.ModuleHealth;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ModuleRegistration;
import io.wruntime.proto.v1.ModuleStatus;
import io.wruntime.proto.v1.NodeInfo;
import io.wruntime.proto.v1.RegisterEngineRequest;
import io.wruntime.proto.v1.RegisterEngineResponse;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.RoutingTable;
import io.wruntime.proto.v1.SecretKey;
import io.wruntime.proto.v1.ServiceInfo;
import io.wruntime.proto.v1.ServiceVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * The service edge: ManagerService messages to and from the registry's domain values. Requests are
 * mapped only after {@link RequestValidator} accepted them.
 */
public final class ProtoMapping {
  private ProtoMapping() {}

  public static ModuleKey key(ModuleRef ref) {
    requireNonNull(ref, "ref");
    return new ModuleKey(ref.getNamespace(), ref.getName(), ref.getVersion());
  }

  public static ModuleRef ref(ModuleKey key) {
    return ModuleRef.newBuilder()
        .setNamespace(key.namespace())
        .setName(key.name())
        .setVersion(key.version())
        .build();
  }

  /** A validated registration request; schemas are parsed here. */
  public static EngineRegistration registration(RegisterEngineRequest request) {
    List<ModuleDeclaration> modules = new ArrayList<>();
    for (ModuleRegistration module : request.getModulesList()) {
      modules.add(
          new ModuleDeclaration(
              key(module.getRef()),
              module.getSchema().isEmpty() ? null : Schema.parse(module.getSchema()),
              module.getRequestedSecretsList()));
    }
    NodeRef node =
        request.hasNode()
            ? new NodeRef(request.getNode().getName(), request.getNode().getProxyAddress())
            : NodeRef.NONE;
    return new EngineRegistration(
        request.getEngineId(),
        request.getIncarnationId(),
        node,
        request.getEngineAddress(),
        modules);
  }

  public static RegisterEngineResponse registered(RegistrationResult result) {
    RegisterEngineResponse.Builder out =
        RegisterEngineResponse.newBuilder().setRoutingTableVersion(result.version());
    for (RegistrationResult.Grant grant : result.grants()) {
      out.addModules(
          ModuleGrant.newBuilder().setRef(ref(grant.module())).putAllSecrets(grant.secrets()));
    }
    return out.build();
  }

  public static List<HeartbeatReport> heartbeats(List<EngineHeartbeat> heartbeats) {
    List<HeartbeatReport> out = new ArrayList<>(heartbeats.size());
    for (EngineHeartbeat heartbeat : heartbeats) {
      List<HeartbeatReport.ModuleHealth> modules = new ArrayList<>();
      for (ModuleHealth health : heartbeat.getModulesList()) {
        modules.add(
            new HeartbeatReport.ModuleHealth(
                key(health.getRef()), health.getHealthy(), health.getDetail()));
      }
      out.add(
          new HeartbeatReport(
              heartbeat.getEngineId(),
              heartbeat.getIncarnationId(),
              heartbeat.hasObservedAt() ? Timestamps.toInstant(heartbeat.getObservedAt()) : null,
              modules));
    }
    return out;
  }

  public static HeartbeatResponse heartbeatResponse(HeartbeatResult result) {
    return HeartbeatResponse.newBuilder()
        .addAllReregisterEngineIds(result.reregister())
        .setRoutingTableVersion(result.version())
        .build();
  }

  /** A validated rule; its routes' engine, health and locality are the registry's to set. */
  public static Rule rule(RoutingRule rule) {
    List<io.wruntime.manager.registry.Route> routes = new ArrayList<>();
    for (Route route : rule.getRoutesList()) {
      routes.add(
          new io.wruntime.manager.registry.Route(
              key(route.getModule()),
              route.getEngineId(),
              route.getAddress(),
              route.getNode(),
              route.getNodeAddress(),
              route.getHealthy()));
    }
    return new Rule(
        new ServiceKey(rule.getNamespace(), rule.getModule()),
        rule.getDefaultVersion(),
        routes,
        null);
  }

  public static RoutingRule rule(Rule rule) {
    RoutingRule.Builder out =
        RoutingRule.newBuilder()
            .setNamespace(rule.service().namespace())
            .setModule(rule.service().name())
            .setDefaultVersion(rule.defaultVersion());
    for (io.wruntime.manager.registry.Route route : rule.routes()) {
      out.addRoutes(route(route));
    }
    if (rule.updatedAt() != null) {
      out.setUpdatedAt(Timestamps.of(rule.updatedAt()));
    }
    return out.build();
  }

  /** A route, non-local: locality depends on who asks (see {@link RoutingTablePublisher}). */
  public static Route route(io.wruntime.manager.registry.Route route) {
    return Route.newBuilder()
        .setModule(ref(route.module()))
        .setEngineId(route.engineId())
        .setAddress(route.address())
        .setNode(route.node())
        .setNodeAddress(route.nodeAddress())
        .setHealthy(route.healthy())
        .build();
  }

  /** The table with every route non-local. */
  public static RoutingTable table(RoutingTableSnapshot table) {
    RoutingTable.Builder out =
        RoutingTable.newBuilder().setVersion(table.version()).setIncomplete(table.incomplete());
    for (io.wruntime.manager.registry.Route route : table.routes()) {
      out.addRoutes(route(route));
    }
    for (Rule rule : table.rules()) {
      out.addRules(rule(rule));
    }
    return out.build();
  }

  public static EngineInfo engine(EngineStatus engine) {
    EngineInfo.Builder out =
        EngineInfo.newBuilder()
            .setEngineId(engine.engineId())
            .setIncarnationId(engine.incarnationId())
            .setEngineAddress(engine.address())
            .setHealthy(engine.alive())
            .setDeregistered(engine.deregistered())
            .setRegisteredAt(Timestamps.of(engine.registeredAt()));
    if (!engine.node().equals(NodeRef.NONE)) {
      out.setNode(
          NodeInfo.newBuilder()
              .setName(engine.node().name())
              .setProxyAddress(engine.node().proxyAddress()));
    }
    if (engine.lastHeartbeat() != null) {
      out.setLastHeartbeat(Timestamps.of(engine.lastHeartbeat()));
    }
    for (EngineStatus.ModuleStatus module : engine.modules()) {
      ModuleStatus.Builder status =
          ModuleStatus.newBuilder()
              .setRef(ref(module.module()))
              .setHealthy(module.healthy())
              .setDetail(module.detail())
              .setHasSchema(module.hasSchema());
      if (module.lastHeartbeat() != null) {
        status.setLastHeartbeat(Timestamps.of(module.lastHeartbeat()));
      }
      out.addModules(status);
    }
    return out.build();
  }

  public static ServiceInfo service(ServiceStatus service) {
    ServiceInfo.Builder out =
        ServiceInfo.newBuilder()
            .setNamespace(service.service().namespace())
            .setName(service.service().name());
    for (ServiceStatus.VersionStatus version : service.versions()) {
      ServiceVersion.Builder sv =
          ServiceVersion.newBuilder()
              .setVersion(version.version())
              .setHasSchema(version.hasSchema())
              .addAllMethods(version.methods())
              .setHealthyInstances(version.healthyInstances());
      for (io.wruntime.manager.registry.Route route : version.instances()) {
        sv.addInstances(route(route));
      }
      out.addVersions(sv);
    }
    if (service.rule() != null) {
      out.setRule(rule(service.rule()));
    }
    return out.build();
  }

  public static SecretKey secret(Secrets.SecretEntry entry) {
    return SecretKey.newBuilder()
        .setNamespace(entry.namespace())
        .setKey(entry.key())
        .setUpdatedAt(Timestamps.of(entry.updatedAt()))
        .build();
  }
}
