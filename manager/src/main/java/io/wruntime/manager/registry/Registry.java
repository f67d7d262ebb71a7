package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.names.SemVer;
import io.wruntime.proto.v1.DeregisterEngineResponse;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.EngineInfo;
import io.wruntime.proto.v1.GetSchemaResponse;
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
import io.wruntime.proto.v1.ServiceInfo;
import io.wruntime.proto.v1.ServiceVersion;
import io.wruntime.proto.v1.UpsertRoutingRuleResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The in-memory registry: engines and their modules, schemas, admin routing rules, and the
 * versioned routing table built from them.
 *
 * <p>Route health is stored, not computed on read: it changes only when a registration, heartbeat,
 * deregistration or {@link #checkHealth()} re-evaluates it against the clock. So the routing table
 * is a function of stored state, and its version is bumped exactly when a mutation changes the
 * table's content. The version starts at 1 and never decreases.
 *
 * <p>In {@link RouteSource#CLUSTER} mode the routes come only from {@link #syncCluster}: engines
 * may still register and heartbeat (they are listed), but their registrations add no route and no
 * schema, so the table is the same on every manager replica watching the same cluster. There the
 * version is at least the wall clock in milliseconds when it is bumped, so that replicas are
 * unlikely to publish different tables under one version number.
 *
 * <p>Thread safety: every operation holds one lock, so each is atomic; listeners run after the lock
 * is released, on the mutating thread, and must not block.
 */
public final class Registry {
  private static final Comparator<Route> ROUTE_ORDER =
      Comparator.comparing((Route r) -> ModuleKey.of(r.getModule()))
          .thenComparing(Route::getEngineId);

  private final Clock clock;
  private final Duration engineTimeout;
  private final Duration moduleTimeout;
  private final Secrets secrets;
  private final RouteSource source;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  private final Object lock = new Object();
  // All fields below are guarded by lock.
  private final Map<String, EngineEntry> engines = new TreeMap<>();
  private final Map<ModuleKey, Schema> schemas = new HashMap<>();
  private final Map<ServiceKey, Set<String>> versionsByService = new TreeMap<>();
  private final Map<ServiceKey, RoutingRule> rules = new TreeMap<>();
  private List<ClusterRoute> clusterRoutes = List.of();
  private long version = 1;
  private boolean dirty;

  // Written under lock, read without it by watchers and GetRoutingTable.
  private volatile RoutingTable table = RoutingTable.newBuilder().setVersion(1).build();

  /**
   * @param engineTimeout an engine whose last heartbeat is older has all its routes unhealthy
   * @param moduleTimeout a module whose last health report is older has its route unhealthy
   */
  public Registry(Clock clock, Duration engineTimeout, Duration moduleTimeout, Secrets secrets) {
    this(clock, engineTimeout, moduleTimeout, secrets, RouteSource.REGISTRATIONS);
  }

  /**
   * @param source where the routes of the table come from
   */
  public Registry(
      Clock clock,
      Duration engineTimeout,
      Duration moduleTimeout,
      Secrets secrets,
      RouteSource source) {
    this.clock = requireNonNull(clock, "clock");
    this.engineTimeout = requireNonNull(engineTimeout, "engineTimeout");
    this.moduleTimeout = requireNonNull(moduleTimeout, "moduleTimeout");
    this.secrets = requireNonNull(secrets, "secrets");
    this.source = requireNonNull(source, "source");
  }

  /** Where the routes of this registry's table come from. */
  public RouteSource source() {
    return source;
  }

  /** Runs {@code listener} after every change of the routing table (a new version). */
  public void addListener(Runnable listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  public void removeListener(Runnable listener) {
    listeners.remove(listener);
  }

  /** The current routing-table version. */
  public long version() {
    return table.getVersion();
  }

  /** The current routing table, every route non-local. Never blocks on the registry lock. */
  public RoutingTable routingTable() {
    return table;
  }

  /** {@code table} as seen from {@code node}: routes on that node marked local. */
  public static RoutingTable localize(RoutingTable table, String node) {
    requireNonNull(table, "table");
    if (node == null || node.isEmpty()) {
      return table;
    }
    RoutingTable.Builder out = table.toBuilder();
    for (int i = 0; i < out.getRoutesCount(); i++) {
      if (out.getRoutes(i).getNode().equals(node)) {
        out.setRoutes(i, out.getRoutes(i).toBuilder().setLocal(true));
      }
    }
    for (int i = 0; i < out.getRulesCount(); i++) {
      RoutingRule.Builder rule = out.getRulesBuilder(i);
      for (int j = 0; j < rule.getRoutesCount(); j++) {
        if (rule.getRoutes(j).getNode().equals(node)) {
          rule.setRoutes(j, rule.getRoutes(j).toBuilder().setLocal(true));
        }
      }
    }
    return out.build();
  }

  /**
   * Registers an engine or replaces its earlier registration, atomically: on failure nothing is
   * stored. Every module gets a route that stays unhealthy until a heartbeat reports it healthy;
   * routes of modules the engine no longer lists are removed. The request must be valid (names,
   * versions, addresses, schemas that parse, no duplicate modules).
   *
   * @throws RegistryException FAILED_PRECONDITION when a schema differs from the stored one of the
   *     same module version; NOT_FOUND when a requested secret does not exist
   */
  public RegisterEngineResponse register(RegisterEngineRequest request) {
    requireNonNull(request, "request");
    return mutate(
        now -> {
          List<ModuleRegistration> modules = request.getModulesList();
          Map<ModuleKey, Schema> newSchemas = new LinkedHashMap<>();
          for (int i = 0; i < modules.size(); i++) {
            ModuleRegistration module = modules.get(i);
            if (module.getSchema().isEmpty()) {
              continue;
            }
            if (source == RouteSource.CLUSTER) {
              // The cluster's schemas count; an engine's own copy is not stored.
              continue;
            }
            ModuleKey key = ModuleKey.of(module.getRef());
            Schema schema = Schema.parse(module.getSchema());
            Schema stored = schemas.get(key);
            if (stored == null) {
              newSchemas.put(key, schema);
            } else if (!stored.sameAs(schema)) {
              throw RegistryException.failedPrecondition(
                  "modules["
                      + i
                      + "].schema: differs from the schema stored for "
                      + key
                      + " (expected: the identical FileDescriptorSet or none; a changed schema"
                      + " needs a new module version)");
            }
          }
          RegisterEngineResponse.Builder response = RegisterEngineResponse.newBuilder();
          for (int i = 0; i < modules.size(); i++) {
            ModuleRegistration module = modules.get(i);
            response.addModules(
                ModuleGrant.newBuilder()
                    .setRef(module.getRef())
                    .putAllSecrets(
                        secrets.resolve(
                            module.getRef().getNamespace(),
                            module.getRequestedSecretsList(),
                            "modules[" + i + "].requested_secrets")));
          }

          EngineEntry previous = engines.get(request.getEngineId());
          List<Route> before = previous == null ? List.of() : routesOf(previous);
          EngineEntry entry =
              new EngineEntry(
                  request.getEngineId(),
                  request.hasNode() ? request.getNode() : NodeInfo.getDefaultInstance(),
                  request.getEngineAddress(),
                  now);
          for (ModuleRegistration module : modules) {
            ModuleKey key = ModuleKey.of(module.getRef());
            entry.modules.put(key, new ModuleEntry(key));
            if (source == RouteSource.REGISTRATIONS) {
              versionsByService
                  .computeIfAbsent(key.service(), k -> new TreeSet<>())
                  .add(key.version());
            }
          }
          schemas.putAll(newSchemas);
          engines.put(entry.id, entry);
          evaluate(entry, now);
          engineRoutesChanged(!routesOf(entry).equals(before));
          commit();
          return response.setRoutingTableVersion(version).build();
        });
  }

  /**
   * Marks an engine as deregistered: its routes turn unhealthy at once. Unknown ids succeed.
   * Heartbeats of a deregistered engine are ignored until it registers again.
   */
  public DeregisterEngineResponse deregister(String engineId) {
    requireNonNull(engineId, "engineId");
    return mutate(
        now -> {
          EngineEntry entry = engines.get(engineId);
          if (entry != null && !entry.deregistered) {
            List<Route> before = routesOf(entry);
            entry.deregistered = true;
            evaluate(entry, now);
            engineRoutesChanged(!routesOf(entry).equals(before));
            commit();
          }
          return DeregisterEngineResponse.newBuilder().setRoutingTableVersion(version).build();
        });
  }

  /**
   * Records heartbeats: engine liveness and the reported health of each listed module. With several
   * heartbeats of one engine, the last one counts; a heartbeat older than the one already recorded
   * does not move the times back. Engines the registry does not know are returned in {@code
   * reregister_engine_ids}.
   */
  public HeartbeatResponse heartbeat(List<EngineHeartbeat> heartbeats) {
    requireNonNull(heartbeats, "heartbeats");
    return mutate(
        now -> {
          Map<String, EngineHeartbeat> latest = new LinkedHashMap<>();
          for (EngineHeartbeat heartbeat : heartbeats) {
            latest.remove(heartbeat.getEngineId());
            latest.put(heartbeat.getEngineId(), heartbeat);
          }
          HeartbeatResponse.Builder response = HeartbeatResponse.newBuilder();
          for (EngineHeartbeat heartbeat : latest.values()) {
            EngineEntry entry = engines.get(heartbeat.getEngineId());
            if (entry == null) {
              response.addReregisterEngineIds(heartbeat.getEngineId());
              continue;
            }
            if (entry.deregistered) {
              continue;
            }
            List<Route> before = routesOf(entry);
            Instant at = observedAt(heartbeat, now);
            if (entry.lastHeartbeat == null || at.isAfter(entry.lastHeartbeat)) {
              entry.lastHeartbeat = at;
            }
            for (ModuleHealth health : heartbeat.getModulesList()) {
              ModuleEntry module = entry.modules.get(ModuleKey.of(health.getRef()));
              if (module == null
                  || (module.lastHeartbeat != null && at.isBefore(module.lastHeartbeat))) {
                continue;
              }
              module.reportedHealthy = health.getHealthy();
              module.reportedDetail = health.getDetail();
              module.lastHeartbeat = at;
            }
            evaluate(entry, now);
            engineRoutesChanged(!routesOf(entry).equals(before));
          }
          commit();
          return response.setRoutingTableVersion(version).build();
        });
  }

  /**
   * Re-evaluates every route against the clock: the health monitor's tick. Returns true when a
   * route turned unhealthy (or healthy), which bumped the version.
   */
  public boolean checkHealth() {
    return mutate(
        now -> {
          long before = version;
          for (EngineEntry entry : engines.values()) {
            List<Route> routes = routesOf(entry);
            evaluate(entry, now);
            engineRoutesChanged(!routesOf(entry).equals(routes));
          }
          commit();
          return version != before;
        });
  }

  /**
   * Deletes an engine and its routes. Its schemas stay.
   *
   * @throws RegistryException NOT_FOUND when the id is unknown
   */
  public long removeEngine(String engineId) {
    requireNonNull(engineId, "engineId");
    return mutate(
        now -> {
          EngineEntry entry = engines.remove(engineId);
          if (entry == null) {
            throw RegistryException.notFound(
                "engine \"" + engineId + "\" is not registered (expected: an id from ListEngines)");
          }
          engineRoutesChanged(!entry.modules.isEmpty());
          commit();
          return version;
        });
  }

  /**
   * Cluster mode: replaces every route of the table with {@code routes} and stores {@code schemas}.
   * A schema stays once stored, also after the cluster no longer shows it (pods of an old version
   * may still run during a rollout); a changed schema of a version replaces the stored one, since
   * the cluster is the source of truth. The version is bumped only when the routes changed.
   *
   * @return true when the table changed (a new version was published)
   * @throws IllegalStateException when this registry's routes come from registrations
   */
  public boolean syncCluster(List<ClusterRoute> routes, Map<ModuleKey, Schema> schemas) {
    requireNonNull(routes, "routes");
    requireNonNull(schemas, "schemas");
    if (source != RouteSource.CLUSTER) {
      throw new IllegalStateException(
          "syncCluster on a registry whose routes come from " + source + " (expected: CLUSTER)");
    }
    List<ClusterRoute> sorted = routes.stream().sorted().toList();
    return mutate(
        now -> {
          long before = version;
          for (Map.Entry<ModuleKey, Schema> e : schemas.entrySet()) {
            Schema stored = this.schemas.get(e.getKey());
            if (stored == null || !stored.sameAs(e.getValue())) {
              this.schemas.put(e.getKey(), e.getValue());
            }
            versionsByService
                .computeIfAbsent(e.getKey().service(), k -> new TreeSet<>())
                .add(e.getKey().version());
          }
          for (ClusterRoute route : sorted) {
            versionsByService
                .computeIfAbsent(route.module().service(), k -> new TreeSet<>())
                .add(route.module().version());
          }
          if (!sorted.equals(clusterRoutes)) {
            clusterRoutes = sorted;
            dirty = true;
          }
          commit();
          return version != before;
        });
  }

  /**
   * Creates or replaces the admin rule of the rule's (namespace, module). The rule must be valid.
   * Static routes are stored healthy (they have no heartbeats) and without engine.
   */
  public UpsertRoutingRuleResponse upsertRule(RoutingRule rule) {
    requireNonNull(rule, "rule");
    return mutate(
        now -> {
          RoutingRule.Builder stored = rule.toBuilder().setUpdatedAt(Timestamps.of(now));
          for (int i = 0; i < stored.getRoutesCount(); i++) {
            stored.setRoutes(
                i,
                stored.getRoutes(i).toBuilder().clearEngineId().setHealthy(true).setLocal(false));
          }
          RoutingRule built = stored.build();
          rules.put(new ServiceKey(rule.getNamespace(), rule.getModule()), built);
          dirty = true;
          commit();
          return UpsertRoutingRuleResponse.newBuilder()
              .setRule(built)
              .setRoutingTableVersion(version)
              .build();
        });
  }

  /**
   * Deletes the admin rule of a (namespace, module).
   *
   * @throws RegistryException NOT_FOUND when there is none
   */
  public long deleteRule(String namespace, String module) {
    ServiceKey key = new ServiceKey(namespace, module);
    return mutate(
        now -> {
          if (rules.remove(key) == null) {
            throw RegistryException.notFound(
                "routing rule for " + key + " does not exist (expected: a rule from ListServices)");
          }
          dirty = true;
          commit();
          return version;
        });
  }

  /**
   * The schema of one module version.
   *
   * @throws RegistryException NOT_FOUND naming the module version
   */
  public GetSchemaResponse schema(ModuleRef ref) {
    ModuleKey key = ModuleKey.of(ref);
    synchronized (lock) {
      Schema schema = schemas.get(key);
      if (schema == null) {
        Set<String> versions = versionsByService.get(key.service());
        String why =
            versions != null && versions.contains(key.version())
                ? " was registered without a schema"
                : " was never registered";
        throw RegistryException.notFound("no schema for " + key + ": the module version" + why);
      }
      return GetSchemaResponse.newBuilder()
          .setModule(key.toRef())
          .setFileDescriptorSet(schema.bytes())
          .build();
    }
  }

  /** Engines ordered by id; {@code node} and {@code namespace} filter when not empty. */
  public List<EngineInfo> engines(String node, String namespace) {
    synchronized (lock) {
      List<EngineInfo> out = new ArrayList<>();
      for (EngineEntry entry : engines.values()) {
        if (!node.isEmpty() && !node.equals(entry.node.getName())) {
          continue;
        }
        if (!namespace.isEmpty()
            && entry.modules.keySet().stream().noneMatch(k -> k.namespace().equals(namespace))) {
          continue;
        }
        out.add(info(entry));
      }
      return out;
    }
  }

  /**
   * One engine.
   *
   * @throws RegistryException NOT_FOUND when the id is unknown
   */
  public EngineInfo engine(String engineId) {
    synchronized (lock) {
      EngineEntry entry = engines.get(engineId);
      if (entry == null) {
        throw RegistryException.notFound(
            "engine \"" + engineId + "\" is not registered (expected: an id from ListEngines)");
      }
      return info(entry);
    }
  }

  /** Services ordered by (namespace, name); {@code namespace} filters when not empty. */
  public List<ServiceInfo> services(String namespace) {
    synchronized (lock) {
      List<ServiceInfo> out = new ArrayList<>();
      for (ServiceKey key : versionsByService.keySet()) {
        if (namespace.isEmpty() || namespace.equals(key.namespace())) {
          out.add(serviceInfo(key));
        }
      }
      return out;
    }
  }

  /**
   * One service: every version any engine ever registered.
   *
   * @throws RegistryException NOT_FOUND when no engine ever registered it
   */
  public ServiceInfo service(String namespace, String name) {
    ServiceKey key = new ServiceKey(namespace, name);
    synchronized (lock) {
      if (!versionsByService.containsKey(key)) {
        throw RegistryException.notFound(
            "service " + key + " is not registered (no engine ever registered it)");
      }
      return serviceInfo(key);
    }
  }

  /** Counts for gauges. */
  public RegistryStats stats() {
    synchronized (lock) {
      int alive = 0;
      int deregistered = 0;
      int routes = 0;
      int healthy = 0;
      for (EngineEntry entry : engines.values()) {
        alive += entry.alive ? 1 : 0;
        deregistered += entry.deregistered ? 1 : 0;
        if (source == RouteSource.REGISTRATIONS) {
          for (ModuleEntry module : entry.modules.values()) {
            routes++;
            healthy += module.healthy ? 1 : 0;
          }
        }
      }
      if (source == RouteSource.CLUSTER) {
        routes = clusterRoutes.size();
        healthy = (int) clusterRoutes.stream().filter(ClusterRoute::healthy).count();
      }
      return new RegistryStats(
          version,
          engines.size(),
          alive,
          deregistered,
          routes,
          healthy,
          rules.size(),
          schemas.size(),
          versionsByService.size());
    }
  }

  private <T> T mutate(Function<Instant, T> action) {
    T result;
    long before;
    long after;
    synchronized (lock) {
      before = version;
      try {
        result = action.apply(clock.instant());
      } finally {
        // A failed action changes nothing: each checks before it writes.
        dirty = false;
      }
      after = version;
    }
    if (after != before) {
      for (Runnable listener : listeners) {
        listener.run();
      }
    }
    return result;
  }

  /** Publishes a new table version when the last mutation changed the table. */
  private void commit() {
    if (!dirty) {
      return;
    }
    dirty = false;
    List<Route> routes = new ArrayList<>();
    if (source == RouteSource.CLUSTER) {
      version = Math.max(version + 1, clock.millis());
      for (ClusterRoute route : clusterRoutes) {
        routes.add(route(route));
      }
    } else {
      version++;
      for (EngineEntry entry : engines.values()) {
        routes.addAll(routesOf(entry));
      }
    }
    routes.sort(ROUTE_ORDER);
    table =
        RoutingTable.newBuilder()
            .setVersion(version)
            .addAllRoutes(routes)
            .addAllRules(rules.values())
            .build();
  }

  /** Marks the table changed when engine routes changed and the table is built from them. */
  private void engineRoutesChanged(boolean changed) {
    if (changed && source == RouteSource.REGISTRATIONS) {
      dirty = true;
    }
  }

  private static Route route(ClusterRoute route) {
    return Route.newBuilder()
        .setModule(route.module().toRef())
        .setEngineId(route.engineId())
        .setAddress(route.address())
        .setNode(route.node())
        .setNodeAddress(route.nodeAddress())
        .setHealthy(route.healthy())
        .build();
  }

  private static List<Route> routesOf(EngineEntry entry) {
    List<Route> out = new ArrayList<>(entry.modules.size());
    for (ModuleEntry module : entry.modules.values()) {
      out.add(route(entry, module));
    }
    return out;
  }

  private static Route route(EngineEntry entry, ModuleEntry module) {
    return Route.newBuilder()
        .setModule(module.key.toRef())
        .setEngineId(entry.id)
        .setAddress(entry.address)
        .setNode(entry.node.getName())
        .setNodeAddress(entry.node.getProxyAddress())
        .setHealthy(module.healthy)
        .build();
  }

  /** Sets the engine's liveness and each module's route health as of {@code now}. */
  private void evaluate(EngineEntry entry, Instant now) {
    boolean engineFresh = isFresh(entry.lastHeartbeat, now, engineTimeout);
    entry.alive = !entry.deregistered && engineFresh;
    for (ModuleEntry module : entry.modules.values()) {
      String problem;
      if (entry.deregistered) {
        problem = "engine " + entry.id + " deregistered";
      } else if (entry.lastHeartbeat == null) {
        problem = "no heartbeat from engine " + entry.id + " since it registered";
      } else if (!engineFresh) {
        problem = staleness("engine " + entry.id, entry.lastHeartbeat, now, engineTimeout);
      } else if (module.lastHeartbeat == null) {
        problem = "no health report since the engine registered";
      } else if (!isFresh(module.lastHeartbeat, now, moduleTimeout)) {
        problem = staleness("module " + module.key, module.lastHeartbeat, now, moduleTimeout);
      } else if (!module.reportedHealthy) {
        problem = module.reportedDetail.isEmpty() ? "reported unhealthy" : module.reportedDetail;
      } else {
        problem = "";
      }
      module.healthy = problem.isEmpty();
      module.detail = problem;
    }
  }

  private static boolean isFresh(Instant last, Instant now, Duration timeout) {
    return last != null && Duration.between(last, now).compareTo(timeout) <= 0;
  }

  private static String staleness(String what, Instant last, Instant now, Duration timeout) {
    return "last heartbeat of "
        + what
        + " is "
        + Duration.between(last, now).toSeconds()
        + " s old (expected: at most "
        + timeout.toSeconds()
        + " s)";
  }

  /** When the engine took the heartbeat, never later than now (clocks of nodes differ). */
  private static Instant observedAt(EngineHeartbeat heartbeat, Instant now) {
    if (!heartbeat.hasObservedAt()) {
      return now;
    }
    Instant at = Timestamps.toInstant(heartbeat.getObservedAt());
    return at.isAfter(now) ? now : at;
  }

  private EngineInfo info(EngineEntry entry) {
    EngineInfo.Builder out =
        EngineInfo.newBuilder()
            .setEngineId(entry.id)
            .setEngineAddress(entry.address)
            .setHealthy(entry.alive)
            .setDeregistered(entry.deregistered)
            .setRegisteredAt(Timestamps.of(entry.registeredAt));
    if (!entry.node.equals(NodeInfo.getDefaultInstance())) {
      out.setNode(entry.node);
    }
    if (entry.lastHeartbeat != null) {
      out.setLastHeartbeat(Timestamps.of(entry.lastHeartbeat));
    }
    for (ModuleEntry module : entry.modules.values()) {
      ModuleStatus.Builder status =
          ModuleStatus.newBuilder()
              .setRef(module.key.toRef())
              .setHealthy(module.healthy)
              .setDetail(module.detail)
              .setHasSchema(schemas.containsKey(module.key));
      if (module.lastHeartbeat != null) {
        status.setLastHeartbeat(Timestamps.of(module.lastHeartbeat));
      }
      out.addModules(status);
    }
    return out.build();
  }

  private ServiceInfo serviceInfo(ServiceKey key) {
    List<String> versions = new ArrayList<>(versionsByService.get(key));
    versions.sort(Comparator.comparing(Registry::semVer, Comparator.reverseOrder()));
    ServiceInfo.Builder out =
        ServiceInfo.newBuilder().setNamespace(key.namespace()).setName(key.name());
    for (String v : versions) {
      ModuleKey moduleKey = new ModuleKey(key.namespace(), key.name(), v);
      Schema schema = schemas.get(moduleKey);
      ServiceVersion.Builder sv =
          ServiceVersion.newBuilder().setVersion(v).setHasSchema(schema != null);
      if (schema != null) {
        sv.addAllMethods(schema.methods());
      }
      int healthy = 0;
      if (source == RouteSource.CLUSTER) {
        for (ClusterRoute route : clusterRoutes) {
          if (route.module().equals(moduleKey)) {
            sv.addInstances(route(route));
            healthy += route.healthy() ? 1 : 0;
          }
        }
      } else {
        for (EngineEntry entry : engines.values()) {
          ModuleEntry module = entry.modules.get(moduleKey);
          if (module != null) {
            sv.addInstances(route(entry, module));
            healthy += module.healthy ? 1 : 0;
          }
        }
      }
      out.addVersions(sv.setHealthyInstances(healthy));
    }
    RoutingRule rule = rules.get(key);
    if (rule != null) {
      out.setRule(rule);
    }
    return out.build();
  }

  private static SemVer semVer(String version) {
    // Stored versions were validated at registration, so they parse.
    return SemVer.parse(version);
  }

  /** A registered engine. Guarded by the registry lock. */
  private static final class EngineEntry {
    final String id;
    final NodeInfo node;
    final String address;
    final Instant registeredAt;
    final Map<ModuleKey, ModuleEntry> modules = new LinkedHashMap<>();
    Instant lastHeartbeat;
    boolean deregistered;
    boolean alive;

    EngineEntry(String id, NodeInfo node, String address, Instant registeredAt) {
      this.id = id;
      this.node = node;
      this.address = address;
      this.registeredAt = registeredAt;
    }
  }

  /** One module of an engine: its route. Guarded by the registry lock. */
  private static final class ModuleEntry {
    final ModuleKey key;
    boolean reportedHealthy;
    String reportedDetail = "";
    Instant lastHeartbeat;
    boolean healthy;
    String detail = "";

    ModuleEntry(ModuleKey key) {
      this.key = key;
    }
  }
}
