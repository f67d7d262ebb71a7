package io.wruntime.proxy;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.wruntime.common.admin.AdminServer;
import io.wruntime.common.grpc.CappedServerChannel;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.common.tls.TlsFiles;
import io.wruntime.common.tls.TlsMaterial;
import io.wruntime.proto.v1.NodeInfo;
import io.wruntime.proxy.admin.MetricLabels;
import io.wruntime.proxy.admin.ProxyMetrics;
import io.wruntime.proxy.balance.CircuitBreakers;
import io.wruntime.proxy.balance.LoadBalancer;
import io.wruntime.proxy.config.ProxyConfig;
import io.wruntime.proxy.http.BufferedBytes;
import io.wruntime.proxy.http.Forwarding;
import io.wruntime.proxy.http.ListenerKind;
import io.wruntime.proxy.http.ProxyServer;
import io.wruntime.proxy.node.HeartbeatBatcher;
import io.wruntime.proxy.node.NodeService;
import io.wruntime.proxy.routing.EgressPolicy;
import io.wruntime.proxy.routing.Router;
import io.wruntime.proxy.routing.RoutingTable;
import io.wruntime.proxy.routing.RoutingTableWatcher;
import io.wruntime.proxy.telemetry.ProxyTracing;
import io.wruntime.proxy.tls.PeerTls;
import io.wruntime.proxy.validation.SchemaCache;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy sidecar: the internal listener for local engines, the peer listener for other
 * proxies, NodeService on the control address, the routing-table watch on the manager and, when
 * configured, the admin listener.
 */
public final class Proxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Proxy.class);

  /**
   * The {@code service.name} of the proxy's spans unless {@code OTEL_SERVICE_NAME} says otherwise.
   */
  public static final String SERVICE_NAME = "wr-proxy";

  /** How often the heartbeats of local engines go to the manager, batched. */
  public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

  /** How long a stop lets requests in flight finish. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

  /** Deadline of the calls relayed to the manager (registration, schemas). */
  static final Duration MANAGER_CALL_TIMEOUT = Duration.ofSeconds(10);

  private final ProxyConfig config;
  private final ManagedChannel manager;
  private final Telemetry telemetry;
  private final ScheduledExecutorService scheduler;
  private final RoutingTableWatcher watcher;
  private final ProxyServer server;
  private final HeartbeatBatcher heartbeats;
  private final Server control;
  private final EventLoopGroup controlLoops;
  private final AdminServer admin;
  private final BufferedBytes buffered;
  private final ProxyMetrics metrics;
  private final CircuitBreakers breakers;
  private final HostPort listenAddress;
  private final HostPort peerAddress;
  private final HostPort controlAddress;
  private final NodeInfo node;
  private final AtomicBoolean stopping;

  private Proxy(Builder b) {
    this.config = b.config;
    this.manager = b.manager;
    this.telemetry = b.telemetry;
    this.scheduler = b.scheduler;
    this.watcher = b.watcher;
    this.server = b.server;
    this.heartbeats = b.heartbeats;
    this.control = b.control;
    this.controlLoops = b.controlLoops;
    this.admin = b.admin;
    this.buffered = b.buffered;
    this.metrics = b.metrics;
    this.breakers = b.breakers;
    this.listenAddress = b.listenAddress;
    this.peerAddress = b.peerAddress;
    this.controlAddress = b.controlAddress;
    this.node = b.node;
    this.stopping = b.stopping;
  }

  /** What {@link #start} puts together, so that a failed start can stop what it started. */
  private static final class Builder {
    ProxyConfig config;
    ManagedChannel manager;
    Telemetry telemetry;
    ScheduledExecutorService scheduler;
    RoutingTableWatcher watcher;
    ProxyServer server;
    HeartbeatBatcher heartbeats;
    Server control;
    EventLoopGroup controlLoops;
    AdminServer admin;
    BufferedBytes buffered;
    ProxyMetrics metrics;
    CircuitBreakers breakers;
    HostPort listenAddress;
    HostPort peerAddress;
    HostPort controlAddress;
    NodeInfo node;
    final AtomicBoolean stopping = new AtomicBoolean();
  }

  /**
   * Starts a proxy that talks to the manager over gRPC (mTLS with the node's certificate when
   * {@code [node.tls]} is set, plaintext otherwise) and exports spans as the {@code OTEL_*}
   * environment says.
   *
   * @throws IOException when an address cannot be bound
   * @throws io.wruntime.common.config.ConfigException when an {@code OTEL_*} variable is unusable
   */
  public static Proxy start(ProxyConfig config) throws IOException {
    requireNonNull(config, "config");
    HostPort address = config.managerAddress();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(address.host(), address.port(), managerCredentials(config))
            // The watch stream stays open for hours: find a dead manager connection.
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .build();
    Telemetry telemetry;
    try {
      telemetry = Telemetry.fromEnvironment(SERVICE_NAME);
    } catch (RuntimeException e) {
      channel.shutdownNow();
      throw e;
    }
    return start(config, channel, telemetry, Clock.systemUTC());
  }

  /**
   * The credentials of the channel to the manager: with {@code [node.tls]}, the node's certificate
   * (identity {@code node/<name>}) and a trust manager that accepts only a server certificate that
   * chains to the CA and names role {@code manager} (host names are not checked: see {@link
   * io.wruntime.common.tls.IdentityTrustManager}).
   */
  static ChannelCredentials managerCredentials(ProxyConfig config) {
    TlsFiles tls = config.node() == null ? null : config.node().tls();
    if (tls == null) {
      return InsecureChannelCredentials.create();
    }
    TlsMaterial material = TlsMaterial.load(tls);
    return TlsChannelCredentials.newBuilder()
        .keyManager(material.keyManagerFactory().getKeyManagers())
        .trustManager(material.trustManager(Set.of(CallerIdentity.Role.MANAGER)))
        .build();
  }

  /**
   * Starts a proxy on {@code manager} with {@code telemetry} (both of which it owns and closes when
   * it stops; in-process and in-memory in tests); {@code clock} drives the circuit breakers.
   *
   * @throws IOException when an address cannot be bound
   */
  public static Proxy start(
      ProxyConfig config, ManagedChannel manager, Telemetry telemetry, Clock clock)
      throws IOException {
    requireNonNull(config, "config");
    requireNonNull(manager, "manager");
    requireNonNull(telemetry, "telemetry");
    requireNonNull(clock, "clock");
    Builder b = new Builder();
    b.config = config;
    b.manager = manager;
    b.telemetry = telemetry;
    String managerAddress = config.managerAddress().toString();
    try {
      b.scheduler =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().name("proxy-control").daemon().factory());
      CircuitBreakers breakers =
          new CircuitBreakers(
              config.circuitBreaker().failureThreshold(),
              config.circuitBreaker().openDuration(),
              config.circuitBreaker().countServerErrors(),
              clock);
      b.breakers = breakers;
      b.watcher =
          new RoutingTableWatcher(
              manager,
              config.node().name(),
              b.scheduler,
              table -> breakers.retainOnly(table.addresses()));
      RoutingTableWatcher watcher = b.watcher;
      b.buffered = new BufferedBytes();
      BufferedBytes buffered = b.buffered;
      EgressPolicy egress =
          EgressPolicy.of(
              config.egress().enabled(),
              config.egress().allowedDomains(),
              config.egress().allowIpLiterals());
      b.metrics =
          new ProxyMetrics(
              telemetry,
              MetricLabels.of(watcher::current, egress),
              () -> watcher.current().version(),
              breakers::openCount,
              buffered::current);
      Forwarding forwarding =
          new Forwarding(
              new Router(watcher::current, egress),
              new LoadBalancer(breakers),
              new SchemaCache(manager, MANAGER_CALL_TIMEOUT),
              new ProxyTracing(telemetry.openTelemetry()),
              b.metrics,
              buffered,
              watcher::hasTable,
              config.timeouts(),
              config.validation(),
              managerAddress);
      PeerTls tls =
          config.node().tls() == null ? null : PeerTls.load(config.node().tls(), config.source());
      b.server =
          new ProxyServer(
              forwarding,
              Math.max(2, Runtime.getRuntime().availableProcessors()),
              tls,
              config.limits());
      b.listenAddress = b.server.listen(ListenerKind.INTERNAL, config.listenAddress());
      b.peerAddress = b.server.listen(ListenerKind.PEER, config.node().peerListenAddress());
      HostPort advertised =
          config.node().proxyAddress() != null
              ? config.node().proxyAddress()
              : new HostPort("127.0.0.1", b.peerAddress.port());
      b.node =
          NodeInfo.newBuilder()
              .setName(config.node().name())
              .setProxyAddress(advertised.toString())
              .build();
      NodeInfo node = b.node;
      b.heartbeats =
          new HeartbeatBatcher(manager, HEARTBEAT_INTERVAL, b.scheduler, clock, managerAddress)
              .start();
      int maxControl = config.limits().maxControlConnections();
      b.controlLoops =
          new NioEventLoopGroup(
              1, Thread.ofPlatform().name("proxy-nodeservice").daemon().factory());
      try {
        b.control =
            NettyServerBuilder.forAddress(config.controlAddress().toSocketAddress())
                .channelFactory(
                    CappedServerChannel.factory(
                        "control_address ([limits] max_control_connections = " + maxControl + ")",
                        maxControl))
                .bossEventLoopGroup(b.controlLoops)
                .workerEventLoopGroup(b.controlLoops)
                .maxConnectionIdle(config.timeouts().idle().toMillis(), TimeUnit.MILLISECONDS)
                .addService(
                    new NodeService(
                        manager, () -> node, b.heartbeats, MANAGER_CALL_TIMEOUT, managerAddress))
                .build()
                .start();
      } catch (IOException e) {
        throw new IOException(
            "cannot listen on control_address " + config.controlAddress() + ": " + e.getMessage(),
            e);
      }
      b.controlAddress = config.controlAddress().withPort(port(b.control, config.controlAddress()));
      if (config.adminAddress() != null) {
        AtomicBoolean stopping = b.stopping;
        try {
          b.admin =
              AdminServer.start(
                  config.adminAddress(),
                  () -> notReadyReason(stopping.get(), watcher, managerAddress),
                  b.metrics::render);
        } catch (IOException e) {
          throw new IOException(
              "cannot listen on admin_address " + config.adminAddress() + ": " + e.getMessage(), e);
        }
      }
      b.watcher.start();
      Proxy proxy = new Proxy(b);
      proxy.logStarted();
      return proxy;
    } catch (IOException | RuntimeException e) {
      stopQuietly(b);
      throw e;
    }
  }

  private void logStarted() {
    LOG.info(
        "proxy listening on {} (peer {}, control {})", listenAddress, peerAddress, controlAddress);
    LOG.info(
        config.node().tls() == null
            ? "peer port: plaintext HTTP/1.1, trusting its network (no [node.tls])"
            : "peer port: mutual TLS (h2, http/1.1), node certificates of the configured CA only");
    LOG.info(
        "node {} (peer address {}), manager {}",
        node.getName(),
        node.getProxyAddress(),
        config.managerAddress());
    if (admin != null) {
      LOG.info("admin endpoints on {}", config.adminAddress().withPort(admin.address().getPort()));
    }
  }

  private static int port(Server server, HostPort configured) {
    for (var address : server.getListenSockets()) {
      if (address instanceof InetSocketAddress inet) {
        return inet.getPort();
      }
    }
    return configured.port();
  }

  /** Null when the proxy serves, else why not (for {@code /readyz}). */
  public String notReadyReason() {
    return notReadyReason(stopping.get(), watcher, config.managerAddress().toString());
  }

  private static String notReadyReason(
      boolean stopping, RoutingTableWatcher watcher, String managerAddress) {
    if (stopping) {
      return "the proxy is stopping";
    }
    if (!watcher.hasTable()) {
      return "no routing table has arrived from the manager at " + managerAddress + " yet";
    }
    return null;
  }

  /** Where local engines send their calls, with the real port. */
  public HostPort listenAddress() {
    return listenAddress;
  }

  /** Where other proxies send calls for this node, with the real port. */
  public HostPort peerAddress() {
    return peerAddress;
  }

  /** Where NodeService is served, with the real port. */
  public HostPort controlAddress() {
    return controlAddress;
  }

  /** The admin listener's bound address, when one is configured. */
  public Optional<InetSocketAddress> adminAddress() {
    return Optional.ofNullable(admin).map(AdminServer::address);
  }

  /** This node as registrations carry it. */
  public NodeInfo node() {
    return node;
  }

  /** The routing table in use. */
  public RoutingTable routingTable() {
    return watcher.current();
  }

  /** Whether the first routing table arrived. */
  public boolean hasRoutingTable() {
    return watcher.hasTable();
  }

  /** Body bytes held in memory, now and at the peak. */
  public BufferedBytes bufferedBytes() {
    return buffered;
  }

  /** The request metrics. */
  public ProxyMetrics metrics() {
    return metrics;
  }

  /** The circuit breakers. */
  public CircuitBreakers circuitBreakers() {
    return breakers;
  }

  /**
   * Stops gracefully: NodeService and the listeners stop taking new work, requests in flight get
   * {@code grace}, then the watch stream, heartbeats and the manager channel end.
   *
   * @return true when no request was cut at the deadline
   */
  public boolean stop(Duration grace) throws InterruptedException {
    requireNonNull(grace, "grace");
    stopping.set(true);
    control.shutdown();
    boolean clean = server.stop(grace);
    heartbeats.flush();
    heartbeats.close();
    watcher.close();
    if (admin != null) {
      admin.close();
    }
    if (!control.awaitTermination(1, TimeUnit.SECONDS)) {
      control.shutdownNow();
    }
    controlLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    scheduler.shutdownNow();
    manager.shutdown();
    if (!manager.awaitTermination(2, TimeUnit.SECONDS)) {
      manager.shutdownNow();
    }
    telemetry.close();
    return clean;
  }

  /** Stops with the default grace period; an interrupt cuts it short and is kept. */
  @Override
  public void close() {
    try {
      stop(DEFAULT_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stopQuietly(Builder b) {
    List<Runnable> steps = new ArrayList<>();
    if (b.admin != null) steps.add(b.admin::close);
    if (b.control != null) steps.add(b.control::shutdownNow);
    if (b.controlLoops != null)
      steps.add(() -> b.controlLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS));
    if (b.heartbeats != null) steps.add(b.heartbeats::close);
    if (b.server != null) steps.add(b.server::close);
    if (b.watcher != null) steps.add(b.watcher::close);
    if (b.scheduler != null) steps.add(b.scheduler::shutdownNow);
    steps.add(b.manager::shutdownNow);
    steps.add(b.telemetry::close);
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException e) {
        LOG.debug("while stopping after a failed start: {}", e.toString());
      }
    }
  }
}
