package io.wruntime.manager.cluster;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.manager.config.KubernetesConfig;
import io.wruntime.manager.registry.Registry;
import io.wruntime.manager.registry.RouteSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode's source of routes: Fabric8 informers on WasmModules, engine pods and the operator's
 * ConfigMaps, whose caches are turned into the registry's routes by {@link ClusterRoutes} after
 * every change.
 *
 * <p>Why the table is always rebuilt from the caches, never patched from single events: an informer
 * whose watch drops re-watches from its last resource version, or re-lists and replaces its cache
 * when that version is too old. While it does, the cache keeps the last objects it saw (a re-list
 * adds and updates before it removes), so a transient error can never empty the table, and a watch
 * that comes back with the same objects yields the same routes, which does not bump the version.
 *
 * <p>Events only mark the table stale; one thread rebuilds it, so a burst of events costs one
 * rebuild, and rebuilds never run concurrently.
 */
public final class ClusterWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);

  /** How often informers replay their caches as updates (a safety net; rebuilds are cheap). */
  private static final long RESYNC_MILLIS = Duration.ofMinutes(5).toMillis();

  private final Registry registry;
  private final KubernetesConfig config;
  private final List<SharedIndexInformer<WasmModule>> modules = new ArrayList<>();
  private final List<SharedIndexInformer<Pod>> pods = new ArrayList<>();
  private final List<SharedIndexInformer<ConfigMap>> configMaps = new ArrayList<>();
  private final ExecutorService rebuilder =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("cluster-routes").daemon(true).factory());
  private final Object lock = new Object();
  // Guarded by lock.
  private boolean scheduled;
  private boolean started;
  // Only touched by the rebuilder thread.
  private Set<String> lastIgnored = Set.of();

  private ClusterWatch(Registry registry, KubernetesConfig config) {
    this.registry = registry;
    this.config = config;
  }

  /**
   * Starts the informers, waits until every cache holds the cluster's objects, then publishes the
   * first table: a manager never serves a table built from half-filled caches.
   *
   * @throws IllegalStateException when a cache cannot be filled within {@code syncTimeout} (the API
   *     server is unreachable, a permission is missing, the WasmModule CRD is not installed),
   *     naming what could not be listed
   */
  public static ClusterWatch start(
      KubernetesClient client, KubernetesConfig config, Registry registry, Duration syncTimeout)
      throws InterruptedException {
    requireNonNull(client, "client");
    requireNonNull(config, "config");
    requireNonNull(registry, "registry");
    requireNonNull(syncTimeout, "syncTimeout");
    if (registry.source() != RouteSource.CLUSTER) {
      throw new IllegalArgumentException(
          "registry: routes from " + registry.source() + " (expected: CLUSTER)");
    }
    ClusterWatch watch = new ClusterWatch(registry, config);
    try {
      watch.inform(client, syncTimeout);
    } catch (RuntimeException | InterruptedException e) {
      watch.close();
      throw e;
    }
    return watch;
  }

  private void inform(KubernetesClient client, Duration syncTimeout) throws InterruptedException {
    List<String> namespaces = config.watchNamespaces();
    ResourceEventHandler<HasMetadata> handler = new StaleOnEvent();
    List<String> names = new ArrayList<>();
    List<CompletableFuture<Void>> synced = new ArrayList<>();
    for (String namespace : namespaces.isEmpty() ? List.of("") : namespaces) {
      String where = namespace.isEmpty() ? "in every namespace" : "in namespace " + namespace;
      Function<String, Informable<WasmModule>> wm =
          ns ->
              ns.isEmpty()
                  ? client.resources(WasmModule.class).inAnyNamespace()
                  : client.resources(WasmModule.class).inNamespace(ns);
      modules.add(informer(wm.apply(namespace), handler, synced));
      names.add("wasmmodules.wruntime.io " + where);
      pods.add(
          informer(
              (namespace.isEmpty()
                      ? client.pods().inAnyNamespace()
                      : client.pods().inNamespace(namespace))
                  .withLabelSelector(EngineLabels.SELECTOR),
              handler,
              synced));
      names.add("pods " + where);
      configMaps.add(
          informer(
              (namespace.isEmpty()
                      ? client.configMaps().inAnyNamespace()
                      : client.configMaps().inNamespace(namespace))
                  .withLabelSelector(EngineLabels.SELECTOR),
              handler,
              synced));
      names.add("configmaps " + where);
    }
    long deadline = System.nanoTime() + syncTimeout.toNanos();
    for (int i = 0; i < synced.size(); i++) {
      try {
        synced.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        throw new IllegalStateException(
            "kubernetes: cannot list and watch "
                + names.get(i)
                + ": "
                + e.getCause().getMessage()
                + " (expected: a reachable API server, the WasmModule CRD installed and the"
                + " manager's ClusterRole)",
            e.getCause());
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "kubernetes: "
                + names.get(i)
                + " not listed within "
                + syncTimeout.toSeconds()
                + " s (expected: a reachable API server, the WasmModule CRD installed and the"
                + " manager's ClusterRole)");
      }
    }
    synchronized (lock) {
      started = true;
    }
    LOG.info(
        "cluster mode: watching WasmModules, engine pods and their ConfigMaps {}",
        namespaces.isEmpty() ? "in every namespace" : "in namespaces " + namespaces);
    // Published before start returns: the first table is the cluster's, not an empty one. On the
    // rebuilder thread like every rebuild, so that an older state never overwrites a newer one.
    try {
      rebuilder.submit(this::rebuild).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("kubernetes: first routing table: " + e.getCause(), e);
    }
  }

  private <T extends HasMetadata> SharedIndexInformer<T> informer(
      Informable<T> source,
      ResourceEventHandler<HasMetadata> handler,
      List<CompletableFuture<Void>> synced) {
    SharedIndexInformer<T> informer = source.runnableInformer(RESYNC_MILLIS);
    informer.addEventHandler(handler);
    synced.add(informer.start().toCompletableFuture());
    return informer;
  }

  /** Marks the table stale: one rebuild covers every event until it starts. */
  private void stale() {
    synchronized (lock) {
      if (!started || scheduled) {
        return;
      }
      scheduled = true;
    }
    try {
      rebuilder.execute(
          () -> {
            synchronized (lock) {
              scheduled = false;
            }
            rebuild();
          });
    } catch (RejectedExecutionException e) {
      // Closing: the informers stop too.
    }
  }

  private void rebuild() {
    try {
      ClusterState state =
          ClusterRoutes.desired(
              items(modules), items(pods), items(configMaps), config.engineAddress());
      Set<String> ignored = new HashSet<>(state.ignored());
      for (String problem : state.ignored()) {
        if (!lastIgnored.contains(problem)) {
          LOG.warn("cluster mode: ignored {}", problem);
        }
      }
      lastIgnored = ignored;
      if (registry.syncCluster(state.routes(), state.schemas())) {
        long healthy = state.routes().stream().filter(r -> r.healthy()).count();
        LOG.info(
            "cluster mode: {} route(s), {} healthy: routing table version {}",
            state.routes().size(),
            healthy,
            registry.version());
      }
    } catch (RuntimeException e) {
      // The table stays as it was; the next event or resync tries again.
      LOG.error("cluster mode: rebuilding the routing table failed", e);
    }
  }

  private static <T> List<T> items(List<SharedIndexInformer<T>> informers) {
    List<T> out = new ArrayList<>();
    for (SharedIndexInformer<T> informer : informers) {
      out.addAll(informer.getStore().list());
    }
    return out;
  }

  /** Stops the informers; the registry keeps the last table. */
  @Override
  public void close() {
    synchronized (lock) {
      started = false;
    }
    rebuilder.shutdownNow();
    for (List<? extends SharedIndexInformer<?>> list : List.of(modules, pods, configMaps)) {
      for (SharedIndexInformer<?> informer : list) {
        informer.close();
      }
    }
  }

  private final class StaleOnEvent implements ResourceEventHandler<HasMetadata> {
    @Override
    public void onAdd(HasMetadata object) {
      stale();
    }

    @Override
    public void onUpdate(HasMetadata before, HasMetadata after) {
      stale();
    }

    @Override
    public void onDelete(HasMetadata object, boolean finalStateUnknown) {
      stale();
    }
  }
}
