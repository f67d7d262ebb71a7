package io.wruntime.engine;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.wruntime.common.config.ConfigException;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.engine.artifact.ModuleFetcher;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.config.ModuleCapabilities;
import io.wruntime.engine.config.ModuleConfig;
import io.wruntime.engine.db.DatabaseSetupException;
import io.wruntime.engine.db.ModuleDatabases;
import io.wruntime.engine.db.ModulePool;
import io.wruntime.engine.dispatch.Dispatcher;
import io.wruntime.engine.dispatch.HostedModule;
import io.wruntime.engine.dispatch.ModuleLimits;
import io.wruntime.engine.dispatch.ModuleRegistry;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.GuestModuleLoader;
import io.wruntime.engine.module.HostGrants;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleLoadException;
import io.wruntime.engine.outbound.LocalOutboundClient;
import io.wruntime.engine.outbound.OutgoingCallCap;
import io.wruntime.engine.outbound.ProxyOutboundClient;
import io.wruntime.engine.registration.EngineIds;
import io.wruntime.engine.registration.ModuleHealthMonitor;
import io.wruntime.engine.registration.ModuleRegistrations;
import io.wruntime.engine.registration.NodeRegistration;
import io.wruntime.engine.server.AdminEndpoints;
import io.wruntime.engine.server.BufferGauge;
import io.wruntime.engine.server.HttpServer;
import io.wruntime.engine.server.ReadinessReport;
import io.wruntime.engine.server.RequestHandler;
import io.wruntime.engine.telemetry.DispatchTracing;
import io.wruntime.proto.v1.ModuleRegistration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running engine: its modules loaded (those that failed answer 503 with the reason), the HTTP
 * listener dispatching to them, and the outbound client their calls go through. Startable
 * in-process; {@link #close()} stops it gracefully.
 */
public final class Engine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  /** The {@code service.name} of the engine's spans unless {@code OTEL_SERVICE_NAME} says. */
  public static final String SERVICE_NAME = "wr-engine";

  private static final String TRACER_SCOPE = "io.wruntime.engine";

  /** How long in-flight requests may run on after a stop was asked for. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  private final EventLoopGroup group;
  private final ModuleRegistry registry;
  private final Dispatcher dispatcher;
  private final OutboundClient outbound;
  private final BufferGauge gauge;
  private final HttpServer server;
  private final HttpServer adminServer;
  private final AtomicBoolean closing;
  private final Network network;
  private final GuestModuleLoader loader;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final List<ModulePool> pools;

  /**
   * The engine's part in the control plane (null fields when standalone) and the telemetry it owns
   * (null when the caller owns it).
   */
  private record Network(
      NodeRegistration registration, ModuleHealthMonitor health, Telemetry ownedTelemetry) {
    void close() {
      // Deregister first: the control plane stops routing here while requests still finish.
      if (registration != null) {
        registration.close();
      }
      if (health != null) {
        health.close();
      }
    }
  }

  private Engine(
      EventLoopGroup group,
      ModuleRegistry registry,
      Dispatcher dispatcher,
      OutboundClient outbound,
      BufferGauge gauge,
      HttpServer server,
      HttpServer adminServer,
      AtomicBoolean stopping,
      Network network,
      GuestModuleLoader loader,
      List<ModulePool> pools) {
    this.group = group;
    this.registry = registry;
    this.dispatcher = dispatcher;
    this.outbound = outbound;
    this.gauge = gauge;
    this.server = server;
    this.adminServer = adminServer;
    this.closing = stopping;
    this.network = network;
    this.loader = loader;
    this.pools = pools;
  }

  /**
   * Starts an engine whose modules come from {@code loader}; their outgoing calls can go through
   * {@link #outbound()}.
   *
   * @throws IOException when a listener cannot be bound
   */
  public static Engine start(EngineConfig config, GuestModuleLoader loader) throws IOException {
    requireNonNull(loader, "loader");
    return startWith(config, outbound -> loader);
  }

  /**
   * Starts an engine whose spans are recorded (trace context propagates through it) but not
   * exported; see {@link #startWith(EngineConfig, Function, Telemetry)}.
   *
   * @throws IOException when a listener cannot be bound
   */
  public static Engine startWith(
      EngineConfig config, Function<OutboundClient, GuestModuleLoader> loaders) throws IOException {
    Telemetry telemetry = Telemetry.notExporting(SERVICE_NAME);
    try {
      return startWith(config, loaders, telemetry, true);
    } catch (IOException | RuntimeException e) {
      telemetry.close();
      throw e;
    }
  }

  /**
   * Starts an engine: creates the outbound client (to the proxy, or in-process when standalone),
   * the loader from it, loads every module, and binds the listeners. With a {@code [node]}, it then
   * registers through the proxy in the background (see {@link NodeRegistration}) while it serves.
   * Each request to a module is traced with {@code telemetry}, which the caller keeps and closes
   * after the engine.
   *
   * @throws IOException when a listener cannot be bound
   * @throws ConfigException when a module's schema file cannot be read or is not a schema (checked
   *     only when the engine registers)
   */
  public static Engine startWith(
      EngineConfig config, Function<OutboundClient, GuestModuleLoader> loaders, Telemetry telemetry)
      throws IOException {
    return startWith(config, loaders, telemetry, false);
  }

  private static Engine startWith(
      EngineConfig config,
      Function<OutboundClient, GuestModuleLoader> loaders,
      Telemetry telemetry,
      boolean ownsTelemetry)
      throws IOException {
    requireNonNull(config, "config");
    requireNonNull(loaders, "loaders");
    requireNonNull(telemetry, "telemetry");
    config.requireDatabases();
    config.requireBlobstores();
    AtomicBoolean stopping = new AtomicBoolean();
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            Thread.ofPlatform().name("wr-netty-", 0).daemon().factory(),
            NioIoHandler.newFactory());
    BufferGauge gauge = new BufferGauge();
    ModuleRegistry registry = new ModuleRegistry();
    Dispatcher dispatcher =
        new Dispatcher(
            registry,
            config.pool(),
            Dispatcher.DEFAULT_ADMISSION_WAIT,
            new DispatchTracing(telemetry.tracer(TRACER_SCOPE)),
            telemetry);
    OutboundClient outbound =
        config.hasProxy()
            ? new ProxyOutboundClient(
                config.node().proxyAddress(), config.maxOutboundBodyBytes(), group, gauge)
            : new LocalOutboundClient(dispatcher, config.maxOutboundBodyBytes());
    HttpServer server = null;
    HttpServer admin = null;
    List<ModuleRegistration> registrations = List.of();
    GuestModuleLoader loader = null;
    List<ModulePool> pools = new ArrayList<>();
    try {
      OutboundClient capped =
          new OutgoingCallCap(
              outbound, config.limits().outgoingCalls(), config.limits().outgoingCallsTotal());
      loader = requireNonNull(loaders.apply(capped), "loader");
      Map<ModuleConfig, ModuleFetcher.Outcome> fetched =
          new ModuleFetcher(config.artifacts()).fetchAll(config.modules());
      List<ModuleConfig> resolved = new ArrayList<>();
      for (ModuleConfig module : config.modules()) {
        String notice = capabilitiesNotice(module);
        if (notice != null) {
          LOG.warn("{}", notice);
        }
        ModuleFetcher.Outcome outcome = fetched.get(module);
        registry.add(load(loader, module, outcome, config, pools));
        // Without a schema_path, the schema layer of the module's image is its schema.
        if (module.schemaPath() == null
            && outcome instanceof ModuleFetcher.Fetched f
            && f.schemaFile() != null) {
          module = module.withSchemaPath(f.schemaFile());
        }
        resolved.add(module);
      }
      if (config.hasProxy()) {
        registrations = ModuleRegistrations.of(config.withModules(resolved), registry);
      }
      AdminEndpoints endpoints =
          new AdminEndpoints(
              () -> stopping.get() ? registry.readiness().asStopping() : registry.readiness(),
              dispatcher::metricsText);
      RequestHandler handler = dispatcher;
      if (config.adminAddress() == null) {
        handler =
            (request, response) -> {
              if (endpoints.handles(request)) {
                endpoints.handle(request, response);
              } else {
                dispatcher.handle(request, response);
              }
            };
      }
      server =
          HttpServer.start(
              "listen_address", config.listenAddress(), handler, group, gauge, config.listener());
      if (config.adminAddress() != null) {
        admin =
            HttpServer.start(
                "admin_address",
                config.adminAddress(),
                endpoints.asHandler(),
                group,
                gauge,
                config.listener());
      }
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        server.close();
      }
      stopQuietly(dispatcher);
      closePools(pools);
      closeOutbound(outbound);
      closeLoader(loader);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
    List<String> ready = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (HostedModule m : registry.all()) {
      (m.isReady() ? ready : failed).add(m.label());
    }
    if (failed.isEmpty()) {
      LOG.info("engine listening on {} with modules {}", server.address(), ready);
    } else {
      LOG.warn(
          "engine listening on {} with modules {}; unavailable (failed to load): {}",
          server.address(),
          ready,
          failed);
    }
    if (admin != null) {
      LOG.info("admin endpoints on {}", admin.address());
    }
    Telemetry owned = ownsTelemetry ? telemetry : null;
    Network network =
        config.hasProxy()
            ? register(config, server.address(), registry, dispatcher, registrations, owned)
            : new Network(null, null, owned);
    Engine engine =
        new Engine(
            group,
            registry,
            dispatcher,
            outbound,
            gauge,
            server,
            admin,
            stopping,
            network,
            loader,
            pools);
    return engine;
  }

  /**
   * What a module granted capabilities this engine does not implement yet gets: the grant is read
   * and validated, but a module importing the interface fails to load, except fs, whose
   * wasi:filesystem links for every module and finds no preopened directory. Null when every grant
   * is implemented (or nothing is granted).
   */
  static String capabilitiesNotice(ModuleConfig module) {
    ModuleCapabilities granted = module.capabilities();
    List<String> names = new ArrayList<>();
    List<String> imports = new ArrayList<>();
    for (String name : granted.names()) {
      if (implemented(name)) {
        continue;
      }
      names.add(name);
      if (!name.equals("fs")) {
        imports.add("wruntime:" + name);
      }
    }
    if (names.isEmpty()) {
      return null;
    }
    List<String> effects = new ArrayList<>();
    if (!imports.isEmpty()) {
      effects.add("a module importing " + String.join(" or ", imports) + " fails to load");
    }
    if (granted.fs() != null) {
      effects.add(
          "wasi:filesystem preopens and wasi_snapshot_preview1 file calls find no directory");
    }
    return "module "
        + module.label()
        + " is granted "
        + String.join(", ", names)
        + ", which this engine does not implement yet: "
        + String.join(", and ", effects);
  }

  private static boolean implemented(String configName) {
    for (HostGrants.Capability c : HostGrants.Capability.values()) {
      if (c.configName().equals(configName)) {
        return c.implemented();
      }
    }
    return false;
  }

  /** Starts probing module health and registering through the proxy's NodeService. */
  private static Network register(
      EngineConfig config,
      HostPort listen,
      ModuleRegistry registry,
      Dispatcher dispatcher,
      List<ModuleRegistration> registrations,
      Telemetry ownedTelemetry) {
    EngineConfig.NodeConfig node = config.node();
    String engineId = node.engineId();
    if (engineId == null) {
      engineId = EngineIds.generate(listen);
      LOG.info("engine id {} (generated; set [node] engine_id to choose one)", engineId);
    } else {
      LOG.info("engine id {} (from [node] engine_id)", engineId);
    }
    List<HostedModule> ready = registry.all().stream().filter(HostedModule::isReady).toList();
    ModuleHealthMonitor health =
        new ModuleHealthMonitor(
                dispatcher, ready, node.heartbeatInterval(), ModuleHealthMonitor.DEFAULT_TIMEOUT)
            .start();
    NodeRegistration registration =
        NodeRegistration.start(
            node.controlAddress(),
            engineId,
            EngineIds.engineAddress(listen),
            registrations,
            node.heartbeatInterval(),
            health::report);
    return new Network(registration, health, ownedTelemetry);
  }

  private static HostedModule load(
      GuestModuleLoader loader,
      ModuleConfig module,
      ModuleFetcher.Outcome outcome,
      EngineConfig config,
      List<ModulePool> pools) {
    ModuleLimits limits = ModuleLimits.of(module, config.pool());
    String failure;
    if (outcome instanceof ModuleFetcher.Failed failed) {
      failure = failed.reason();
    } else if (!Files.isRegularFile(((ModuleFetcher.Fetched) outcome).wasmFile())) {
      Path wasm = ((ModuleFetcher.Fetched) outcome).wasmFile();
      failure =
          "wasm_path "
              + wasm
              + (Files.exists(wasm) ? " is not a file" : " does not exist")
              + " (expected: a .wasm file)";
    } else {
      Path wasm = ((ModuleFetcher.Fetched) outcome).wasmFile();
      long started = System.nanoTime();
      ModulePool pool = null;
      try {
        ModuleDefinition definition =
            module.toDefinition(config.pool().execution(), wasm, config.limits());
        if (module.capabilities().db() != null) {
          pool =
              ModuleDatabases.open(
                  config.database(), module.capabilities().db(), module.namespace(), module.name());
          definition =
              definition.withGrants(
                  definition
                      .grants()
                      .withDb(pool, config.limits().transactions(), config.limits().cursors()));
        }
        GuestModule loaded = loader.load(definition);
        LOG.debug(
            "module {} loaded in {} ms",
            module.label(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        long budget = config.pool().maxTotalMemory();
        if (loaded.maxMemoryBytes() > budget) {
          failure =
              "an instance may grow to "
                  + loaded.maxMemoryBytes()
                  + " bytes of linear memory, above the engine's memory budget of "
                  + budget
                  + " bytes (expected: max_memory_size at most pool.max_total_memory; the budget"
                  + " defaults to three quarters of the JVM's maximum heap)";
        } else {
          if (pool != null) {
            pools.add(pool);
            pool = null;
          }
          return HostedModule.ready(
              module.namespace(), module.name(), module.version(), loaded, limits);
        }
      } catch (DatabaseSetupException e) {
        failure = "wruntime:db: " + e.getMessage();
      } catch (ModuleLoadException e) {
        // Loader messages name the module already; the dispatcher and the log line below add it.
        String prefix = "module " + module.label() + ": ";
        failure =
            e.getMessage().startsWith(prefix)
                ? e.getMessage().substring(prefix.length())
                : e.getMessage();
      } catch (RuntimeException | StackOverflowError e) {
        failure = "the loader failed: " + e;
      } finally {
        if (pool != null) {
          pool.close();
        }
      }
    }
    LOG.warn("module {} failed to load: {}", module.label(), failure);
    return HostedModule.failed(
        module.namespace(), module.name(), module.version(), failure, limits);
  }

  /** The address of the module listener, with the real port when 0 was configured. */
  public HostPort address() {
    return server.address();
  }

  public int port() {
    return server.port();
  }

  /** The admin listener's port, or -1 when admin endpoints are on the main listener. */
  public int adminPort() {
    return adminServer == null ? -1 : adminServer.port();
  }

  /** The id the engine registers with; null when it runs standalone. */
  public String engineId() {
    return network.registration() == null ? null : network.registration().engineId();
  }

  /** Where the modules' outgoing calls go. */
  public OutboundClient outbound() {
    return outbound;
  }

  /** Each hosted module and whether it loaded. */
  public ReadinessReport readiness() {
    return registry.readiness();
  }

  /** Bytes of bodies buffered in the engine (for tests and diagnostics). */
  public BufferGauge bufferedBodies() {
    return gauge;
  }

  /** Waits until the engine was closed. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  /** Stops gracefully, giving in-flight requests {@link #DEFAULT_SHUTDOWN_GRACE}. */
  @Override
  public void close() {
    close(DEFAULT_SHUTDOWN_GRACE);
  }

  /**
   * Stops accepting connections, lets in-flight requests finish for up to {@code grace}, then
   * interrupts what is left and closes every connection.
   */
  public void close(Duration grace) {
    requireNonNull(grace, "grace");
    if (!closing.compareAndSet(false, true)) {
      try {
        terminated.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    LOG.info("engine stopping: {} requests in flight", dispatcher.inFlight());
    network.close();
    server.stopAccepting();
    boolean clean;
    try {
      clean = dispatcher.shutdown(grace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      clean = false;
    }
    server.close();
    if (adminServer != null) {
      adminServer.close();
    }
    closePools(pools);
    closeOutbound(outbound);
    closeLoader(loader);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    LOG.info("engine stopped{}", clean ? "" : " (some requests were cut short)");
    if (network.ownedTelemetry() != null) {
      network.ownedTelemetry().close();
    }
    terminated.countDown();
  }

  private static void stopQuietly(Dispatcher dispatcher) {
    try {
      dispatcher.shutdown(Duration.ZERO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closePools(List<ModulePool> pools) {
    for (ModulePool pool : pools) {
      try {
        pool.close();
      } catch (RuntimeException e) {
        LOG.debug("closing a database pool failed: {}", e.toString());
      }
    }
  }

  /** Releases what the loader's host interfaces hold (e.g. wruntime:blobstore's S3 clients). */
  private static void closeLoader(GuestModuleLoader loader) {
    if (loader instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.debug("closing the module loader failed: {}", e.toString());
      }
    }
  }

  private static void closeOutbound(OutboundClient outbound) {
    if (outbound instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.debug("closing the outbound client failed: {}", e.toString());
      }
    }
  }
}
