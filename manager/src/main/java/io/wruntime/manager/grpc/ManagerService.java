package io.wruntime.manager.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.manager.auth.AccessPolicy;
import io.wruntime.manager.auth.ManagerCall;
import io.wruntime.manager.registry.ModuleKey;
import io.wruntime.manager.registry.Registry;
import io.wruntime.manager.registry.RegistryException;
import io.wruntime.manager.registry.Secrets;
import io.wruntime.manager.server.Callers;
import io.wruntime.proto.v1.DeleteRoutingRuleRequest;
import io.wruntime.proto.v1.DeleteRoutingRuleResponse;
import io.wruntime.proto.v1.DeleteScheduleRequest;
import io.wruntime.proto.v1.DeleteScheduleResponse;
import io.wruntime.proto.v1.DeleteSecretRequest;
import io.wruntime.proto.v1.DeleteSecretResponse;
import io.wruntime.proto.v1.DeregisterEngineRequest;
import io.wruntime.proto.v1.DeregisterEngineResponse;
import io.wruntime.proto.v1.GetEngineRequest;
import io.wruntime.proto.v1.GetEngineResponse;
import io.wruntime.proto.v1.GetRoutingTableRequest;
import io.wruntime.proto.v1.GetRoutingTableResponse;
import io.wruntime.proto.v1.GetSchemaRequest;
import io.wruntime.proto.v1.GetSchemaResponse;
import io.wruntime.proto.v1.GetServiceRequest;
import io.wruntime.proto.v1.GetServiceResponse;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.HeartbeatResponse;
import io.wruntime.proto.v1.ListEnginesRequest;
import io.wruntime.proto.v1.ListEnginesResponse;
import io.wruntime.proto.v1.ListManagersRequest;
import io.wruntime.proto.v1.ListManagersResponse;
import io.wruntime.proto.v1.ListSchedulesRequest;
import io.wruntime.proto.v1.ListSchedulesResponse;
import io.wruntime.proto.v1.ListSecretsRequest;
import io.wruntime.proto.v1.ListSecretsResponse;
import io.wruntime.proto.v1.ListServicesRequest;
import io.wruntime.proto.v1.ListServicesResponse;
import io.wruntime.proto.v1.ManagerInfo;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.RegisterEngineRequest;
import io.wruntime.proto.v1.RegisterEngineResponse;
import io.wruntime.proto.v1.RemoveEngineRequest;
import io.wruntime.proto.v1.RemoveEngineResponse;
import io.wruntime.proto.v1.RoutingTable;
import io.wruntime.proto.v1.SetSecretRequest;
import io.wruntime.proto.v1.SetSecretResponse;
import io.wruntime.proto.v1.UpsertRoutingRuleRequest;
import io.wruntime.proto.v1.UpsertRoutingRuleResponse;
import io.wruntime.proto.v1.UpsertScheduleRequest;
import io.wruntime.proto.v1.UpsertScheduleResponse;
import io.wruntime.proto.v1.WatchRoutingTableRequest;
import io.wruntime.proto.v1.WatchRoutingTableResponse;
import java.time.Clock;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ManagerService of {@code proto/wruntime.proto} over an in-memory {@link Registry}: the service
 * edge, where requests are mapped to the registry's domain values and its answers back ({@link
 * ProtoMapping}).
 *
 * <p>Every call is first authorized from {@link Callers#current()} by {@link AccessPolicy}
 * (PERMISSION_DENIED naming the call and the role it needs); a node identity acts only on the
 * engines of its own node. Requests are then validated (INVALID_ARGUMENT); the registry's refusals
 * become NOT_FOUND, FAILED_PRECONDITION or PERMISSION_DENIED with the registry's description.
 * Schedules need the PostgreSQL store and answer UNIMPLEMENTED.
 */
public final class ManagerService extends ManagerServiceGrpc.ManagerServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(ManagerService.class);
  static final String SCHEDULES_UNIMPLEMENTED =
      "schedules are not available: they need the manager's PostgreSQL store ([database] url),"
          + " which this manager does not have yet";

  private final Set<String> sharedNodeIdentities;
  private final Registry registry;
  private final RoutingTablePublisher publisher;
  private final Secrets secrets;
  private final RoutingTableWatchers watchers;
  private final ManagerIdentity identity;
  private final Clock clock;

  public ManagerService(
      Registry registry,
      RoutingTablePublisher publisher,
      Secrets secrets,
      RoutingTableWatchers watchers,
      ManagerIdentity identity,
      Clock clock) {
    this(registry, publisher, secrets, watchers, identity, clock, Set.of());
  }

  /**
   * @param sharedNodeIdentities node certificates many proxies share ({@code
   *     shared_node_identities}): their holders may act on the engines of every node
   */
  public ManagerService(
      Registry registry,
      RoutingTablePublisher publisher,
      Secrets secrets,
      RoutingTableWatchers watchers,
      ManagerIdentity identity,
      Clock clock,
      Set<String> sharedNodeIdentities) {
    this.sharedNodeIdentities = Set.copyOf(sharedNodeIdentities);
    this.registry = requireNonNull(registry, "registry");
    this.publisher = requireNonNull(publisher, "publisher");
    this.secrets = requireNonNull(secrets, "secrets");
    this.watchers = requireNonNull(watchers, "watchers");
    this.identity = requireNonNull(identity, "identity");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public void registerEngine(
      RegisterEngineRequest request, StreamObserver<RegisterEngineResponse> response) {
    unary(
        ManagerCall.REGISTER_ENGINE,
        response,
        () -> {
          RequestValidator.registerEngine(request);
          CallerIdentity caller = Callers.current();
          AccessPolicy.registrationNodeDenial(
                  caller, request.getNode().getName(), sharedNodeIdentities)
              .ifPresent(ManagerService::deny);
          RegisterEngineResponse result =
              ProtoMapping.registered(
                  registry.register(
                      ProtoMapping.registration(request),
                      AccessPolicy.engineScope(caller, sharedNodeIdentities).orElse(null)));
          LOG.info(
              "engine {} registered with {} module(s) from node \"{}\": routing table version {}",
              request.getEngineId(),
              request.getModulesCount(),
              request.getNode().getName(),
              result.getRoutingTableVersion());
          return result;
        });
  }

  @Override
  public void deregisterEngine(
      DeregisterEngineRequest request, StreamObserver<DeregisterEngineResponse> response) {
    unary(
        ManagerCall.DEREGISTER_ENGINE,
        response,
        () -> {
          RequestValidator.requiredEngineId(request.getEngineId());
          DeregisterEngineResponse result =
              DeregisterEngineResponse.newBuilder()
                  .setRoutingTableVersion(
                      registry.deregister(
                          request.getEngineId(),
                          request.getIncarnationId(),
                          AccessPolicy.engineScope(Callers.current(), sharedNodeIdentities)
                              .orElse(null)))
                  .build();
          LOG.info(
              "engine {} deregistered: routing table version {}",
              request.getEngineId(),
              result.getRoutingTableVersion());
          return result;
        });
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
    unary(
        ManagerCall.HEARTBEAT,
        response,
        () -> {
          RequestValidator.heartbeat(request);
          return ProtoMapping.heartbeatResponse(
              registry.heartbeat(
                  ProtoMapping.heartbeats(request.getHeartbeatsList()),
                  AccessPolicy.engineScope(Callers.current(), sharedNodeIdentities).orElse(null)));
        });
  }

  @Override
  public void getRoutingTable(
      GetRoutingTableRequest request, StreamObserver<GetRoutingTableResponse> response) {
    unary(
        ManagerCall.GET_ROUTING_TABLE,
        response,
        () -> {
          RoutingTable table = publisher.current();
          GetRoutingTableResponse.Builder out =
              GetRoutingTableResponse.newBuilder().setVersion(table.getVersion());
          // A known_version above ours means the caller saw another registry (e.g. this manager
          // before a restart without a database): it gets the full table too.
          if (request.getKnownVersion() != table.getVersion()) {
            out.setTable(RoutingTablePublisher.localize(table, request.getNode()));
          }
          return out.build();
        });
  }

  @Override
  public void watchRoutingTable(
      WatchRoutingTableRequest request, StreamObserver<WatchRoutingTableResponse> response) {
    try {
      authorize(ManagerCall.WATCH_ROUTING_TABLE);
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    watchers.watch(
        request.getNode(), (ServerCallStreamObserver<WatchRoutingTableResponse>) response);
  }

  @Override
  public void upsertRoutingRule(
      UpsertRoutingRuleRequest request, StreamObserver<UpsertRoutingRuleResponse> response) {
    unary(
        ManagerCall.UPSERT_ROUTING_RULE,
        response,
        () -> {
          RequestValidator.routingRule(request.getRule(), request.hasRule());
          Registry.StoredRule stored = registry.upsertRule(ProtoMapping.rule(request.getRule()));
          UpsertRoutingRuleResponse result =
              UpsertRoutingRuleResponse.newBuilder()
                  .setRule(ProtoMapping.rule(stored.rule()))
                  .setRoutingTableVersion(stored.version())
                  .build();
          LOG.info(
              "routing rule for {}.{} stored: routing table version {}",
              request.getRule().getNamespace(),
              request.getRule().getModule(),
              result.getRoutingTableVersion());
          return result;
        });
  }

  @Override
  public void deleteRoutingRule(
      DeleteRoutingRuleRequest request, StreamObserver<DeleteRoutingRuleResponse> response) {
    unary(
        ManagerCall.DELETE_ROUTING_RULE,
        response,
        () -> {
          RequestValidator.name("namespace", request.getNamespace());
          RequestValidator.name("module", request.getModule());
          long version = registry.deleteRule(request.getNamespace(), request.getModule());
          LOG.info(
              "routing rule for {}.{} deleted: routing table version {}",
              request.getNamespace(),
              request.getModule(),
              version);
          return DeleteRoutingRuleResponse.newBuilder().setRoutingTableVersion(version).build();
        });
  }

  @Override
  public void getSchema(GetSchemaRequest request, StreamObserver<GetSchemaResponse> response) {
    unary(
        ManagerCall.GET_SCHEMA,
        response,
        () -> {
          RequestValidator.moduleRef("module", request.hasModule() ? request.getModule() : null);
          ModuleKey key = ProtoMapping.key(request.getModule());
          return GetSchemaResponse.newBuilder()
              .setModule(ProtoMapping.ref(key))
              .setFileDescriptorSet(registry.schema(key).bytes())
              .build();
        });
  }

  @Override
  public void listEngines(
      ListEnginesRequest request, StreamObserver<ListEnginesResponse> response) {
    unary(
        ManagerCall.LIST_ENGINES,
        response,
        () -> {
          RequestValidator.optionalName("namespace", request.getNamespace());
          return ListEnginesResponse.newBuilder()
              .addAllEngines(
                  registry.engines(request.getNode(), request.getNamespace()).stream()
                      .map(ProtoMapping::engine)
                      .toList())
              .build();
        });
  }

  @Override
  public void getEngine(GetEngineRequest request, StreamObserver<GetEngineResponse> response) {
    unary(
        ManagerCall.GET_ENGINE,
        response,
        () -> {
          RequestValidator.requiredEngineId(request.getEngineId());
          return GetEngineResponse.newBuilder()
              .setEngine(ProtoMapping.engine(registry.engine(request.getEngineId())))
              .build();
        });
  }

  @Override
  public void removeEngine(
      RemoveEngineRequest request, StreamObserver<RemoveEngineResponse> response) {
    unary(
        ManagerCall.REMOVE_ENGINE,
        response,
        () -> {
          RequestValidator.requiredEngineId(request.getEngineId());
          long version = registry.removeEngine(request.getEngineId());
          LOG.info("engine {} removed: routing table version {}", request.getEngineId(), version);
          return RemoveEngineResponse.newBuilder().setRoutingTableVersion(version).build();
        });
  }

  @Override
  public void listServices(
      ListServicesRequest request, StreamObserver<ListServicesResponse> response) {
    unary(
        ManagerCall.LIST_SERVICES,
        response,
        () -> {
          RequestValidator.optionalName("namespace", request.getNamespace());
          return ListServicesResponse.newBuilder()
              .addAllServices(
                  registry.services(request.getNamespace()).stream()
                      .map(ProtoMapping::service)
                      .toList())
              .build();
        });
  }

  @Override
  public void getService(GetServiceRequest request, StreamObserver<GetServiceResponse> response) {
    unary(
        ManagerCall.GET_SERVICE,
        response,
        () -> {
          RequestValidator.name("namespace", request.getNamespace());
          RequestValidator.name("name", request.getName());
          return GetServiceResponse.newBuilder()
              .setService(
                  ProtoMapping.service(registry.service(request.getNamespace(), request.getName())))
              .build();
        });
  }

  @Override
  public void setSecret(SetSecretRequest request, StreamObserver<SetSecretResponse> response) {
    unary(
        ManagerCall.SET_SECRET,
        response,
        () -> {
          RequestValidator.name("namespace", request.getNamespace());
          RequestValidator.secretKey("key", request.getKey());
          boolean created =
              secrets.set(request.getNamespace(), request.getKey(), request.getValue());
          LOG.info(
              "secret {} of namespace {} {}",
              request.getKey(),
              request.getNamespace(),
              created ? "created" : "replaced");
          return SetSecretResponse.newBuilder().setCreated(created).build();
        });
  }

  @Override
  public void deleteSecret(
      DeleteSecretRequest request, StreamObserver<DeleteSecretResponse> response) {
    unary(
        ManagerCall.DELETE_SECRET,
        response,
        () -> {
          RequestValidator.name("namespace", request.getNamespace());
          if (request.getKey().isEmpty()) {
            throw RequestValidator.invalid("key: is empty (expected: the secret's key)");
          }
          secrets.delete(request.getNamespace(), request.getKey());
          LOG.info("secret {} of namespace {} deleted", request.getKey(), request.getNamespace());
          return DeleteSecretResponse.getDefaultInstance();
        });
  }

  @Override
  public void listSecrets(
      ListSecretsRequest request, StreamObserver<ListSecretsResponse> response) {
    unary(
        ManagerCall.LIST_SECRETS,
        response,
        () -> {
          RequestValidator.optionalName("namespace", request.getNamespace());
          return ListSecretsResponse.newBuilder()
              .addAllSecrets(
                  secrets.list(request.getNamespace()).stream().map(ProtoMapping::secret).toList())
              .build();
        });
  }

  @Override
  public void upsertSchedule(
      UpsertScheduleRequest request, StreamObserver<UpsertScheduleResponse> response) {
    unimplemented(ManagerCall.UPSERT_SCHEDULE, response);
  }

  @Override
  public void deleteSchedule(
      DeleteScheduleRequest request, StreamObserver<DeleteScheduleResponse> response) {
    unimplemented(ManagerCall.DELETE_SCHEDULE, response);
  }

  @Override
  public void listSchedules(
      ListSchedulesRequest request, StreamObserver<ListSchedulesResponse> response) {
    unimplemented(ManagerCall.LIST_SCHEDULES, response);
  }

  @Override
  public void listManagers(
      ListManagersRequest request, StreamObserver<ListManagersResponse> response) {
    unary(
        ManagerCall.LIST_MANAGERS,
        response,
        () ->
            ListManagersResponse.newBuilder()
                .addManagers(
                    ManagerInfo.newBuilder()
                        .setManagerId(identity.id())
                        .setAddress(identity.address())
                        .setStartedAt(Timestamps.of(identity.startedAt()))
                        .setLastHeartbeat(Timestamps.of(clock.instant()))
                        .setAlive(true)
                        .setAnswering(true))
                .build());
  }

  /** Schedules: authorized like the real calls, then UNIMPLEMENTED. */
  private static <T> void unimplemented(ManagerCall call, StreamObserver<T> response) {
    unary(
        call,
        response,
        () -> {
          throw Status.UNIMPLEMENTED.withDescription(SCHEDULES_UNIMPLEMENTED).asRuntimeException();
        });
  }

  /**
   * The current caller, when it may make {@code call}.
   *
   * @throws StatusRuntimeException PERMISSION_DENIED naming the call and the role it needs
   */
  private static CallerIdentity authorize(ManagerCall call) {
    CallerIdentity caller = Callers.current();
    AccessPolicy.denial(caller, call).ifPresent(ManagerService::deny);
    return caller;
  }

  private static void deny(String description) {
    LOG.warn("permission denied: {}", description);
    throw Status.PERMISSION_DENIED.withDescription(description).asRuntimeException();
  }

  /**
   * Runs a unary call once {@code call} is authorized: its result, or its failure as a status with
   * a description.
   */
  private static <T> void unary(ManagerCall call, StreamObserver<T> response, Supplier<T> body) {
    T result;
    try {
      authorize(call);
      result = body.get();
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    } catch (RegistryException e) {
      Status status =
          switch (e.reason()) {
            case NOT_FOUND -> Status.NOT_FOUND;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
          };
      if (e.reason() == RegistryException.Reason.PERMISSION_DENIED) {
        LOG.warn("permission denied: {}: {}", call.method(), e.getMessage());
      }
      response.onError(status.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (RuntimeException e) {
      LOG.error("call failed unexpectedly", e);
      response.onError(
          Status.INTERNAL
              .withDescription("internal error: " + e)
              .withCause(e)
              .asRuntimeException());
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }
}
