package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.names.SemVer;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory registry: engines and their modules, schemas, admin routing rules, and the
 * versioned routing table built from them. It speaks the domain ({@link EngineRegistration}, {@link
 * HeartbeatReport}, {@link RoutingTableSnapshot}, ...); the gRPC service maps its messages to and
 * from these at the edge.
 *
 * <p>Route health is stored, not computed on read: it changes only when a registration, heartbeat,
 * deregistration or {@link #checkHealth()} re-evaluates it against the clock ({@link RouteHealth}).
 * So the routing table is a function of stored state, and its version is bumped exactly when a
 * mutation changes the table's content. The version starts at 1 and never decreases.
 *
 * <p>In {@link RouteSource#CLUSTER} mode the routes come only from {@link #syncCluster}: engines
 * may still register and heartbeat (they are listed), but their registrations add no route and no
 * schema, so the table is the same on every manager replica watching the same cluster. There the
 * version is at least the wall clock in milliseconds when it is bumped, so that replicas are
 * unlikely to publish different tables under one version number.
 *
 * <p>Lifecycle: each registration carries the engine process's incarnation id. A deregistration or
 * heartbeat of another incarnation than the registered one does not touch the registration (a
 * heartbeat of another incarnation is answered with a request to register again), so a stopping
 * predecessor can never silence its restarted successor. Only heartbeats of the incarnation a
 * deregistration named (or, when it named none, heartbeats that name none) are ignored after it;
 * any other live incarnation is asked to register again. An engine not heard from for the expiry
 * time is forgotten with its routes. For the startup resync time after creation the table is marked
 * incomplete: engines that lived before a restart are still re-registering.
 *
 * <p>Ownership: calls may name the node they act for ({@code callerNode}); an engine registered
 * from one node cannot be registered again, heartbeated or deregistered for another
 * (PERMISSION_DENIED) until it is removed or expires.
 *
 * <p>Thread safety: every operation holds one lock, so each is atomic; listeners run after the lock
 * is released, on the mutating thread, and must not block.
 */
public final class Registry {
  private static final Logger LOG = LoggerFactory.getLogger(Registry.class);

  private final Clock clock;
  private final RegistryTimeouts timeouts;
  private final Instant resyncUntil;
  private final Secrets secrets;
  private final RouteSource source;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  private final Object lock = new Object();
  // All fields below are guarded by lock.
  private final Map<String, EngineEntry> engines = new TreeMap<>();
  private final Map<ModuleKey, Schema> schemas = new HashMap<>();
  private final Map<ServiceKey, Set<String>> versionsByService = new TreeMap<>();
  private final Map<ServiceKey, Rule> rules = new TreeMap<>();
  private List<ClusterRoute> clusterRoutes = List.of();
  private long version = 1;
  private boolean dirty;
  private boolean complete;

  // Written under lock, read without it by publishers.
  private volatile RoutingTableSnapshot table;

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
    this(clock, RegistryTimeouts.of(engineTimeout, moduleTimeout), secrets, source);
  }

  /**
   * @param timeouts heartbeat timeouts, engine expiry and the startup resync window
   * @param source where the routes of the table come from; routes from the cluster are complete at
   *     once, without a resync window
   */
  public Registry(Clock clock, RegistryTimeouts timeouts, Secrets secrets, RouteSource source) {
    this.clock = requireNonNull(clock, "clock");
    this.timeouts = requireNonNull(timeouts, "timeouts");
    this.secrets = requireNonNull(secrets, "secrets");
    this.source = requireNonNull(source, "source");
    this.resyncUntil = clock.instant().plus(timeouts.startupResync());
    this.complete = source == RouteSource.CLUSTER || timeouts.startupResync().isZero();
    this.table = new RoutingTableSnapshot(1, List.of(), List.of(), !complete);
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
    return table.version();
  }

  /** The current routing table. Never blocks on the registry lock. */
  public RoutingTableSnapshot routingTable() {
    return table;
  }

  /** Whether the table is complete: the startup resync window is over (or there was none). */
  public boolean complete() {
    synchronized (lock) {
      return complete;
    }
  }

  /** As {@link #register(EngineRegistration, String)} for a caller that may register any engine. */
  public RegistrationResult register(EngineRegistration registration) {
    return register(registration, null);
  }

  /**
   * Registers an engine or replaces its earlier registration, atomically: on failure nothing is
   * stored. Every module gets a route that stays unhealthy until a heartbeat reports it healthy;
   * routes of modules the engine no longer lists are removed. The registration must be valid
   * (names, versions, addresses, no duplicate modules).
   *
   * @param callerNode the node the caller speaks for, or null for a caller that may register any
   *     engine
   * @throws RegistryException FAILED_PRECONDITION when a schema differs from the stored one of the
   *     same module version; NOT_FOUND when a requested secret does not exist; PERMISSION_DENIED
   *     when the engine id is registered from another node
   */
  public RegistrationResult register(EngineRegistration registration, String callerNode) {
    requireNonNull(registration, "registration");
    return mutate(
        now -> {
          checkOwner(engines.get(registration.engineId()), callerNode, "register");
          List<ModuleDeclaration> modules = registration.modules();
          Map<ModuleKey, Schema> newSchemas = new LinkedHashMap<>();
          for (int i = 0; i < modules.size(); i++) {
            ModuleDeclaration module = modules.get(i);
            if (module.schema() == null || source == RouteSource.CLUSTER) {
              // In cluster mode the cluster's schemas count; an engine's own copy is not stored.
              continue;
            }
            Schema stored = schemas.get(module.key());
            if (stored == null) {
              newSchemas.put(module.key(), module.schema());
            } else if (!stored.sameAs(module.schema())) {
              throw RegistryException.failedPrecondition(
                  "modules["
                      + i
                      + "].schema: differs from the schema stored for "
                      + module.key()
                      + " (expected: the identical FileDescriptorSet or none; a changed schema"
                      + " needs a new module version)");
            }
          }
          List<RegistrationResult.Grant> grants = new ArrayList<>();
          for (int i = 0; i < modules.size(); i++) {
            ModuleDeclaration module = modules.get(i);
            grants.add(
                new RegistrationResult.Grant(
                    module.key(),
                    secrets.resolve(
                        module.key().namespace(),
                        module.requestedSecrets(),
                        "modules[" + i + "].requested_secrets")));
          }

          EngineEntry previous = engines.get(registration.engineId());
          List<Route> before = previous == null ? List.of() : routesOf(previous);
          EngineEntry entry = new EngineEntry(registration, now);
          for (ModuleDeclaration module : modules) {
            entry.modules.put(module.key(), new ModuleEntry(module.key()));
            if (source == RouteSource.REGISTRATIONS) {
              versionsByService
                  .computeIfAbsent(module.key().service(), k -> new TreeSet<>())
                  .add(module.key().version());
            }
          }
          schemas.putAll(newSchemas);
          engines.put(entry.id, entry);
          evaluate(entry, now);
          engineRoutesChanged(!routesOf(entry).equals(before));
          commit();
          return new RegistrationResult(grants, version);
        });
  }

  /** Deregisters whatever incarnation of {@code engineId} is registered, for any node. */
  public long deregister(String engineId) {
    return deregister(engineId, "", null);
  }

  /**
   * Marks an engine as deregistered: its routes turn unhealthy at once. Unknown ids succeed, and so
   * does a deregistration of another incarnation than the registered one, which changes nothing.
   * Heartbeats of the deregistered incarnation are ignored; the next registration (or a heartbeat
   * of a newer incarnation, answered with a request to register) ends the deregistration.
   *
   * @param incarnationId the stopping incarnation; empty: the registered one
   * @param callerNode the node the caller speaks for, or null for any
   * @return the routing-table version after the deregistration
   * @throws RegistryException PERMISSION_DENIED when the engine is registered from another node
   */
  public long deregister(String engineId, String incarnationId, String callerNode) {
    requireNonNull(engineId, "engineId");
    requireNonNull(incarnationId, "incarnationId");
    return mutate(
        now -> {
          EngineEntry entry = engines.get(engineId);
          checkOwner(entry, callerNode, "deregister");
          if (entry != null
              && !incarnationId.isEmpty()
              && !incarnationId.equals(entry.incarnation)) {
            LOG.info(
                "deregistration of engine {} incarnation {} ignored: incarnation {} is registered",
                engineId,
                incarnationId,
                entry.incarnation.isEmpty() ? "(none)" : entry.incarnation);
          } else if (entry != null && !entry.deregistered) {
            List<Route> before = routesOf(entry);
            entry.deregistered = true;
            entry.deregisteredBy = incarnationId;
            entry.lastSeen = now;
            evaluate(entry, now);
            engineRoutesChanged(!routesOf(entry).equals(before));
            commit();
          }
          return version;
        });
  }

  /** As {@link #heartbeat(List, String)} for a caller that may heartbeat any engine. */
  public HeartbeatResult heartbeat(List<HeartbeatReport> heartbeats) {
    return heartbeat(heartbeats, null);
  }

  /**
   * Records heartbeats: engine liveness and the reported health of each listed module. With several
   * heartbeats of one engine, the last one counts; a heartbeat older than the one already recorded
   * does not move the times back. Engines the registry does not know, and heartbeats of another
   * incarnation than the registered one, are returned to register again. Nothing is recorded when
   * one of the engines is registered from another node than {@code callerNode}.
   *
   * @param callerNode the node the caller speaks for, or null for any
   * @throws RegistryException PERMISSION_DENIED naming the first engine of another node
   */
  public HeartbeatResult heartbeat(List<HeartbeatReport> heartbeats, String callerNode) {
    requireNonNull(heartbeats, "heartbeats");
    return mutate(
        now -> {
          Map<String, HeartbeatReport> latest = new LinkedHashMap<>();
          for (HeartbeatReport heartbeat : heartbeats) {
            latest.remove(heartbeat.engineId());
            latest.put(heartbeat.engineId(), heartbeat);
          }
          for (HeartbeatReport heartbeat : latest.values()) {
            checkOwner(engines.get(heartbeat.engineId()), callerNode, "heartbeat");
          }
          List<String> reregister = new ArrayList<>();
          for (HeartbeatReport heartbeat : latest.values()) {
            EngineEntry entry = engines.get(heartbeat.engineId());
            if (entry == null
                || (!heartbeat.incarnationId().isEmpty()
                    && !heartbeat.incarnationId().equals(entry.incarnation))) {
              // Unknown, or a restarted process: its registration replaces the stored one.
              reregister.add(heartbeat.engineId());
              continue;
            }
            if (entry.deregistered) {
              if (!heartbeat.incarnationId().isEmpty()
                  && !heartbeat.incarnationId().equals(entry.deregisteredBy)) {
                // Deregistered without naming this live incarnation (an older client that
                // shares the engine id): the engine registers again rather than stay dark.
                reregister.add(heartbeat.engineId());
              }
              continue;
            }
            List<Route> before = routesOf(entry);
            Instant at = observedAt(heartbeat, now);
            if (entry.lastHeartbeat == null || at.isAfter(entry.lastHeartbeat)) {
              entry.lastHeartbeat = at;
            }
            entry.lastSeen = now;
            for (HeartbeatReport.ModuleHealth health : heartbeat.modules()) {
              ModuleEntry module = entry.modules.get(health.module());
              if (module == null
                  || (module.lastHeartbeat != null && at.isBefore(module.lastHeartbeat))) {
                continue;
              }
              module.reportedHealthy = health.healthy();
              module.reportedDetail = health.detail();
              module.lastHeartbeat = at;
            }
            evaluate(entry, now);
            engineRoutesChanged(!routesOf(entry).equals(before));
          }
          commit();
          return new HeartbeatResult(reregister, version);
        });
  }

  /**
   * Re-evaluates every route against the clock: the health monitor's tick. Forgets engines not
   * heard from for the expiry time, and ends the startup resync window. Returns true when a route
   * turned unhealthy (or healthy) or went away, or the table became complete, which bumped the
   * version.
   */
  public boolean checkHealth() {
    return mutate(
        now -> {
          long before = version;
          for (var it = engines.values().iterator(); it.hasNext(); ) {
            EngineEntry entry = it.next();
            if (RouteHealth.expired(entry.lastSeen, now, timeouts)) {
              it.remove();
              LOG.info(
                  "engine {} forgotten with its {} route(s): not heard from for more than {} s",
                  entry.id,
                  entry.modules.size(),
                  timeouts.engineExpiry().toSeconds());
              engineRoutesChanged(!entry.modules.isEmpty());
            }
          }
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
   * Creates or replaces the admin rule of the rule's service. The rule must be valid. Static routes
   * are stored healthy (they have no heartbeats) and without engine.
   *
   * @return the rule as stored, with its update time
   */
  public StoredRule upsertRule(Rule rule) {
    requireNonNull(rule, "rule");
    return mutate(
        now -> {
          List<Route> routes = new ArrayList<>();
          for (Route route : rule.routes()) {
            routes.add(
                new Route(
                    route.module(), "", route.address(), route.node(), route.nodeAddress(), true));
          }
          Rule stored = new Rule(rule.service(), rule.defaultVersion(), routes, now);
          rules.put(rule.service(), stored);
          dirty = true;
          commit();
          return new StoredRule(stored, version);
        });
  }

  /**
   * A rule as stored.
   *
   * @param version the routing-table version that contains it
   */
  public record StoredRule(Rule rule, long version) {}

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
  public Schema schema(ModuleKey key) {
    requireNonNull(key, "key");
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
      return schema;
    }
  }

  /** Engines ordered by id; {@code node} and {@code namespace} filter when not empty. */
  public List<EngineStatus> engines(String node, String namespace) {
    synchronized (lock) {
      List<EngineStatus> out = new ArrayList<>();
      for (EngineEntry entry : engines.values()) {
        if (!node.isEmpty() && !node.equals(entry.node.name())) {
          continue;
        }
        if (!namespace.isEmpty()
            && entry.modules.keySet().stream().noneMatch(k -> k.namespace().equals(namespace))) {
          continue;
        }
        out.add(status(entry));
      }
      return out;
    }
  }

  /**
   * One engine.
   *
   * @throws RegistryException NOT_FOUND when the id is unknown
   */
  public EngineStatus engine(String engineId) {
    synchronized (lock) {
      EngineEntry entry = engines.get(engineId);
      if (entry == null) {
        throw RegistryException.notFound(
            "engine \"" + engineId + "\" is not registered (expected: an id from ListEngines)");
      }
      return status(entry);
    }
  }

  /** Services ordered by (namespace, name); {@code namespace} filters when not empty. */
  public List<ServiceStatus> services(String namespace) {
    synchronized (lock) {
      List<ServiceStatus> out = new ArrayList<>();
      for (ServiceKey key : versionsByService.keySet()) {
        if (namespace.isEmpty() || namespace.equals(key.namespace())) {
          out.add(serviceStatus(key));
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
  public ServiceStatus service(String namespace, String name) {
    ServiceKey key = new ServiceKey(namespace, name);
    synchronized (lock) {
      if (!versionsByService.containsKey(key)) {
        throw RegistryException.notFound(
            "service " + key + " is not registered (no engine ever registered it)");
      }
      return serviceStatus(key);
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
    if (!complete && !clock.instant().isBefore(resyncUntil)) {
      complete = true;
      dirty = true;
      LOG.info(
          "startup resync window of {} s is over: the routing table is complete",
          timeouts.startupResync().toSeconds());
    }
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
    routes.sort(Comparator.naturalOrder());
    table = new RoutingTableSnapshot(version, routes, List.copyOf(rules.values()), !complete);
  }

  /** Marks the table changed when engine routes changed and the table is built from them. */
  private void engineRoutesChanged(boolean changed) {
    if (changed && source == RouteSource.REGISTRATIONS) {
      dirty = true;
    }
  }

  private static void checkOwner(EngineEntry entry, String callerNode, String action) {
    if (entry == null || callerNode == null || entry.node.name().equals(callerNode)) {
      return;
    }
    throw RegistryException.permissionDenied(
        "engine \""
            + entry.id
            + "\" is registered from node \""
            + entry.node.name()
            + "\"; node \""
            + callerNode
            + "\" may not "
            + action
            + " it (expected: an engine of the caller's own node)");
  }

  private static Route route(ClusterRoute route) {
    return new Route(
        route.module(),
        route.engineId(),
        route.address(),
        route.node(),
        route.nodeAddress(),
        route.healthy());
  }

  private static List<Route> routesOf(EngineEntry entry) {
    List<Route> out = new ArrayList<>(entry.modules.size());
    for (ModuleEntry module : entry.modules.values()) {
      out.add(route(entry, module));
    }
    return out;
  }

  private static Route route(EngineEntry entry, ModuleEntry module) {
    return new Route(
        module.key,
        entry.id,
        entry.address,
        entry.node.name(),
        entry.node.proxyAddress(),
        module.healthy);
  }

  /** Sets the engine's liveness and each module's route health as of {@code now}. */
  private void evaluate(EngineEntry entry, Instant now) {
    RouteHealth.EngineReport engine =
        new RouteHealth.EngineReport(entry.id, entry.deregistered, entry.lastHeartbeat);
    entry.alive = RouteHealth.alive(engine, now, timeouts);
    for (ModuleEntry module : entry.modules.values()) {
      String problem =
          RouteHealth.problem(
              engine,
              new RouteHealth.ModuleReport(
                  module.key, module.lastHeartbeat, module.reportedHealthy, module.reportedDetail),
              now,
              timeouts);
      module.healthy = problem.isEmpty();
      module.detail = problem;
    }
  }

  /** When the engine took the heartbeat, never later than now (clocks of nodes differ). */
  private static Instant observedAt(HeartbeatReport heartbeat, Instant now) {
    Instant at = heartbeat.observedAt();
    return at == null || at.isAfter(now) ? now : at;
  }

  private EngineStatus status(EngineEntry entry) {
    List<EngineStatus.ModuleStatus> modules = new ArrayList<>();
    for (ModuleEntry module : entry.modules.values()) {
      modules.add(
          new EngineStatus.ModuleStatus(
              module.key,
              module.healthy,
              module.detail,
              schemas.containsKey(module.key),
              module.lastHeartbeat));
    }
    return new EngineStatus(
        entry.id,
        entry.incarnation,
        entry.node,
        entry.address,
        entry.alive,
        entry.deregistered,
        entry.registeredAt,
        entry.lastHeartbeat,
        modules);
  }

  private ServiceStatus serviceStatus(ServiceKey key) {
    List<String> versions = new ArrayList<>(versionsByService.get(key));
    versions.sort(Comparator.comparing(Registry::semVer, Comparator.reverseOrder()));
    List<ServiceStatus.VersionStatus> out = new ArrayList<>();
    for (String v : versions) {
      ModuleKey moduleKey = new ModuleKey(key.namespace(), key.name(), v);
      Schema schema = schemas.get(moduleKey);
      List<Route> instances = new ArrayList<>();
      if (source == RouteSource.CLUSTER) {
        for (ClusterRoute route : clusterRoutes) {
          if (route.module().equals(moduleKey)) {
            instances.add(route(route));
          }
        }
      } else {
        for (EngineEntry entry : engines.values()) {
          ModuleEntry module = entry.modules.get(moduleKey);
          if (module != null) {
            instances.add(route(entry, module));
          }
        }
      }
      out.add(
          new ServiceStatus.VersionStatus(
              v, schema != null, schema == null ? List.of() : schema.methods(), instances));
    }
    return new ServiceStatus(key, out, rules.get(key));
  }

  private static SemVer semVer(String version) {
    // Stored versions were validated at registration, so they parse.
    return SemVer.parse(version);
  }

  /** A registered engine. Guarded by the registry lock. */
  private static final class EngineEntry {
    final String id;
    final String incarnation;
    final NodeRef node;
    final String address;
    final Instant registeredAt;
    final Map<ModuleKey, ModuleEntry> modules = new LinkedHashMap<>();
    Instant lastHeartbeat;
    // The last registration, heartbeat or deregistration: what expiry counts from.
    Instant lastSeen;
    boolean deregistered;
    // The incarnation a deregistration named; empty when it named none.
    String deregisteredBy = "";
    boolean alive;

    EngineEntry(EngineRegistration registration, Instant registeredAt) {
      this.id = registration.engineId();
      this.incarnation = registration.incarnationId();
      this.node = registration.node();
      this.address = registration.address();
      this.registeredAt = registeredAt;
      this.lastSeen = registeredAt;
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
