package io.wruntime.manager;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.wruntime.common.admin.AdminServer;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.common.tls.TlsMaterial;
import io.wruntime.manager.admin.ManagerAdmin;
import io.wruntime.manager.admin.ManagerMetrics;
import io.wruntime.manager.cluster.ClusterWatch;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.manager.grpc.ManagerIdentity;
import io.wruntime.manager.grpc.ManagerService;
import io.wruntime.manager.grpc.RoutingTablePublisher;
import io.wruntime.manager.grpc.RoutingTableWatchers;
import io.wruntime.manager.registry.HealthMonitor;
import io.wruntime.manager.registry.Registry;
import io.wruntime.manager.registry.RegistryTimeouts;
import io.wruntime.manager.registry.RouteSource;
import io.wruntime.manager.registry.Secrets;
import io.wruntime.manager.server.CallerAuthentication;
import io.wruntime.manager.server.CappedListener;
import io.wruntime.manager.server.ManagerServer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running manager: the registry, its health monitor, ManagerService on gRPC and, when configured,
 * the admin listener; in cluster mode also the informers that build the routes from the cluster.
 */
public final class Manager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Manager.class);

  /**
   * The {@code service.name} of the manager's metrics unless {@code OTEL_SERVICE_NAME} says
   * otherwise.
   */
  public static final String SERVICE_NAME = "wr-manager";

  /** How long cluster mode waits at startup for the informers to list the cluster. */
  static final Duration CLUSTER_SYNC_TIMEOUT = Duration.ofSeconds(60);

  private final Registry registry;
  private final HealthMonitor monitor;
  private final ManagerServer server;
  private final AdminServer admin;
  private final HostPort listenAddress;
  private final RoutingTableWatchers watchers;
  private final ClusterWatch cluster;
  private final KubernetesClient ownedClient;
  private final Telemetry telemetry;

  private Manager(
      Registry registry,
      RoutingTableWatchers watchers,
      HealthMonitor monitor,
      ManagerServer server,
      AdminServer admin,
      HostPort listenAddress,
      ClusterWatch cluster,
      KubernetesClient ownedClient,
      Telemetry telemetry) {
    this.registry = registry;
    this.telemetry = telemetry;
    this.watchers = watchers;
    this.monitor = monitor;
    this.server = server;
    this.admin = admin;
    this.listenAddress = listenAddress;
    this.cluster = cluster;
    this.ownedClient = ownedClient;
  }

  /**
   * Starts a manager that serves ManagerService over Netty on exactly the configured listen
   * address. In cluster mode it reaches the API server as Fabric8 configures itself: {@code
   * KUBECONFIG} or {@code ~/.kube/config}, else the pod's service account.
   *
   * @throws IOException when the listen or admin address cannot be bound
   * @throws IllegalStateException in cluster mode, when the cluster cannot be listed and watched
   */
  public static Manager start(ManagerConfig config) throws IOException {
    requireNonNull(config, "config");
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(config.listenAddress().toSocketAddress(), credentials(config))
            // Proxies hold WatchRoutingTable open for hours: find dead ones, allow their pings.
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true);
    CappedListener.configure(builder, config.listener());
    if (!config.kubernetes().enabled()) {
      return start(config, builder, Clock.systemUTC(), null);
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    try {
      return start(config, builder, Clock.systemUTC(), client, client);
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /**
   * Plaintext without {@code [tls]}; with it, TLS only (a plaintext client fails its handshake),
   * presenting the manager's certificate and asking every client for one that chains to the CA. The
   * client certificate is optional at the TLS level so that a caller without one gets a readable
   * UNAUTHENTICATED from {@link CallerAuthentication} instead of a failed handshake; a certificate
   * that does not chain to the CA still fails the handshake.
   */
  private static ServerCredentials credentials(ManagerConfig config) {
    if (config.tls() == null) {
      return InsecureServerCredentials.create();
    }
    TlsMaterial material = TlsMaterial.load(config.tls());
    return TlsServerCredentials.newBuilder()
        .keyManager(material.keyManagerFactory().getKeyManagers())
        .trustManager(material.trustManager(Set.of()))
        .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
        .build();
  }

  /**
   * Starts a manager on the transport of {@code builder} (in-process in tests); {@code clock}
   * drives heartbeat freshness. Not for cluster mode, which needs a Kubernetes client. The builder
   * decides the transport's security: with {@code [tls]} callers are identified from the TLS
   * session it provides (none in-process: every call is then UNAUTHENTICATED), without it every
   * caller is {@code local}.
   *
   * @throws IOException when the server or admin address cannot be bound
   */
  public static Manager start(ManagerConfig config, ServerBuilder<?> builder, Clock clock)
      throws IOException {
    return start(config, builder, clock, null);
  }

  /**
   * Starts a manager on the transport of {@code builder}; in cluster mode ({@code [kubernetes]
   * enabled}) its routes come from the cluster that {@code client} reaches, which the caller owns.
   * The gRPC server starts only once the informers hold the cluster's objects, so that no proxy is
   * ever sent a table built from half-filled caches.
   *
   * @throws IOException when the server or admin address cannot be bound
   * @throws IllegalStateException in cluster mode, when the cluster cannot be listed and watched
   */
  public static Manager start(
      ManagerConfig config, ServerBuilder<?> builder, Clock clock, KubernetesClient client)
      throws IOException {
    return start(config, builder, clock, client, null);
  }

  private static Manager start(
      ManagerConfig config,
      ServerBuilder<?> builder,
      Clock clock,
      KubernetesClient client,
      KubernetesClient ownedClient)
      throws IOException {
    requireNonNull(config, "config");
    requireNonNull(builder, "builder");
    requireNonNull(clock, "clock");
    boolean clusterMode = config.kubernetes().enabled();
    if (clusterMode && client == null) {
      throw new IllegalArgumentException(
          "client: null (expected: a Kubernetes client, [kubernetes] enabled = true)");
    }
    Secrets secrets = new Secrets(clock);
    Registry registry =
        new Registry(
            clock,
            new RegistryTimeouts(
                config.engineHeartbeatTimeout(),
                config.moduleHeartbeatTimeout(),
                config.engineExpiry(),
                config.startupResync()),
            secrets,
            clusterMode ? RouteSource.CLUSTER : RouteSource.REGISTRATIONS);
    ClusterWatch cluster = null;
    if (clusterMode) {
      try {
        cluster = ClusterWatch.start(client, config.kubernetes(), registry, CLUSTER_SYNC_TIMEOUT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while listing the cluster");
      }
    }
    RoutingTablePublisher publisher = new RoutingTablePublisher(registry);
    RoutingTableWatchers watchers = new RoutingTableWatchers(publisher);
    ManagerIdentity identity = ManagerIdentity.random(clock.instant());
    ManagerServer server =
        new ManagerServer(
            builder,
            new ManagerService(
                registry,
                publisher,
                secrets,
                watchers,
                identity,
                clock,
                config.sharedNodeIdentities()),
            watchers,
            config.tls() != null
                ? CallerAuthentication.certificates()
                : CallerAuthentication.local());
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      if (cluster != null) {
        cluster.close();
      }
      throw e;
    }
    HostPort bound = config.listenAddress();
    for (SocketAddress address : server.listenAddresses()) {
      if (address instanceof InetSocketAddress inet) {
        bound = bound.withPort(inet.getPort());
        break;
      }
    }
    identity.bound(bound.toString());
    HealthMonitor monitor = new HealthMonitor(registry, config.healthCheckInterval()).start();
    Telemetry telemetry;
    try {
      telemetry = Telemetry.fromEnvironment(SERVICE_NAME);
    } catch (RuntimeException e) {
      monitor.close();
      stopQuietly(server);
      if (cluster != null) {
        cluster.close();
      }
      throw e;
    }
    ManagerMetrics metrics = new ManagerMetrics(telemetry, registry::stats, watchers::count);
    AdminServer admin = null;
    if (config.adminAddress() != null) {
      try {
        admin = ManagerAdmin.start(config.adminAddress(), server::isServing, metrics::render);
      } catch (IOException e) {
        telemetry.close();
        monitor.close();
        stopQuietly(server);
        if (cluster != null) {
          cluster.close();
        }
        throw new IOException(
            "admin_address " + config.adminAddress() + " cannot be bound: " + e.getMessage(), e);
      }
    }
    LOG.info(
        "manager listening on {} ({})",
        bound,
        config.tls() != null
            ? "TLS, callers identified by client certificate"
            : "plaintext, every caller is an administrator");
    config.warnings().forEach(LOG::warn);
    if (admin != null) {
      LOG.info("admin endpoints on {}", config.adminAddress().withPort(admin.address().getPort()));
    }
    return new Manager(
        registry, watchers, monitor, server, admin, bound, cluster, ownedClient, telemetry);
  }

  /** The registry this manager serves. */
  public Registry registry() {
    return registry;
  }

  /** How many WatchRoutingTable streams are open. */
  public int watcherCount() {
    return watchers.count();
  }

  /** Where ManagerService is served, with the real port when configured as 0. */
  public HostPort listenAddress() {
    return listenAddress;
  }

  /** The admin listener's bound address, when one is configured. */
  public Optional<InetSocketAddress> adminAddress() {
    return Optional.ofNullable(admin).map(AdminServer::address);
  }

  /**
   * Stops gracefully: ManagerService first (watch streams end, in-flight calls get {@code grace}),
   * then the health monitor and the admin listener.
   *
   * @return true when every call finished within the grace period
   */
  public boolean stop(Duration grace) throws InterruptedException {
    try {
      return server.stop(grace);
    } finally {
      monitor.close();
      if (admin != null) {
        admin.close();
      }
      if (cluster != null) {
        cluster.close();
      }
      if (ownedClient != null) {
        ownedClient.close();
      }
      telemetry.close();
    }
  }

  /** Stops with the default grace period; an interrupt cuts the grace short and is kept. */
  @Override
  public void close() {
    try {
      stop(ManagerServer.DEFAULT_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stopQuietly(ManagerServer server) {
    try {
      server.stop(Duration.ZERO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
