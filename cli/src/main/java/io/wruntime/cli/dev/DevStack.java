package io.wruntime.cli.dev;

import static java.util.Objects.requireNonNull;

import io.wruntime.cli.CliException;
import io.wruntime.cli.options.DurationConverter;
import io.wruntime.common.config.ConfigException;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.config.ModuleConfig;
import io.wruntime.engine.host.CodeCache;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.engine.server.ReadinessReport.ModuleState;
import io.wruntime.manager.Manager;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.manager.grpc.ProtoMapping;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proxy.Proxy;
import io.wruntime.proxy.config.ProxyConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stack in this JVM: an in-memory manager, one proxy and one engine per configuration, all
 * on loopback, the engines registered through the proxy. {@link #close()} stops the engines first
 * (each deregisters), then the proxy, then the manager.
 */
public final class DevStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

  /** The name of the embedded proxy's node: routes of the dev engines are local to it. */
  public static final String NODE = "dev";

  /** How long requests in flight may finish when the stack stops. */
  public static final Duration GRACE = Duration.ofSeconds(5);

  private static final Duration POLL = Duration.ofMillis(100);
  private static final String IN_USE = "Address already in use";

  private final Manager manager;
  private final Proxy proxy;
  private final Telemetry telemetry;
  private final List<Engine> engines;
  private final DevAddresses addresses;
  private final ExpectedRoutes expected;
  private final String summary;
  private boolean closed;

  private DevStack(
      Manager manager,
      Proxy proxy,
      Telemetry telemetry,
      List<Engine> engines,
      DevAddresses addresses,
      ExpectedRoutes expected,
      String summary) {
    this.manager = manager;
    this.proxy = proxy;
    this.telemetry = telemetry;
    this.engines = engines;
    this.addresses = addresses;
    this.expected = expected;
    this.summary = summary;
  }

  /**
   * Starts the manager, the proxy and an engine per configuration, in that order, and returns
   * without waiting for the registrations (see {@link #awaitReady}). What started is stopped again
   * when a later step fails.
   *
   * @param ports the manager's and proxy's ports on 127.0.0.1
   * @param configs engine configurations as read from their files; their {@code [node]} and {@code
   *     manager_address} are replaced by the embedded proxy and manager
   * @throws CliException when a port is in use, naming it, or a module failed to load
   * @throws ConfigException when a module's schema file is unusable or an {@code OTEL_*} variable
   */
  public static DevStack start(DevPorts ports, List<EngineConfig> configs) {
    requireNonNull(ports, "ports");
    requireNonNull(configs, "configs");
    if (configs.isEmpty()) {
      throw new IllegalArgumentException("configs: empty (expected: at least one engine)");
    }
    Manager manager = null;
    Proxy proxy = null;
    Telemetry telemetry = null;
    List<Engine> engines = new ArrayList<>();
    try {
      manager = startManager(ports.manager());
      HostPort managerAddress = new HostPort("127.0.0.1", manager.listenAddress().port());
      proxy = startProxy(ports, managerAddress);
      DevAddresses addresses =
          new DevAddresses(
              managerAddress,
              new HostPort("127.0.0.1", proxy.listenAddress().port()),
              new HostPort("127.0.0.1", proxy.controlAddress().port()),
              new HostPort("127.0.0.1", proxy.peerAddress().port()));
      telemetry = Telemetry.fromEnvironment(Engine.SERVICE_NAME);
      List<ExpectedRoutes.Engine> expected = new ArrayList<>();
      List<String> summaries = new ArrayList<>();
      for (EngineConfig file : configs) {
        EngineConfig config = EngineRewiring.pointAt(file, addresses);
        LOG.info("{}", EngineRewiring.describe(file, addresses));
        Engine engine = startEngine(config, telemetry);
        engines.add(engine);
        List<ModuleRef> modules = loadedModules(config, engine);
        expected.add(new ExpectedRoutes.Engine(engine.engineId(), config.source(), modules));
        summaries.add(
            (modules.isEmpty()
                    ? "no modules"
                    : modules.stream().map(ExpectedRoutes::label).collect(Collectors.joining(", ")))
                + " on "
                + engine.address());
      }
      String summary =
          "dev: manager "
              + addresses.manager()
              + ", proxy "
              + addresses.proxy()
              + ", engines: "
              + String.join("; ", summaries);
      return new DevStack(
          manager,
          proxy,
          telemetry,
          List.copyOf(engines),
          addresses,
          new ExpectedRoutes(expected),
          summary);
    } catch (RuntimeException e) {
      stop(engines, telemetry, proxy, manager);
      throw e;
    }
  }

  private static Manager startManager(int port) {
    ManagerConfig config =
        ManagerConfig.parse("dev manager", "listen_address = \"127.0.0.1:" + port + "\"");
    try {
      return Manager.start(config);
    } catch (IOException e) {
      throw new CliException(
          "the manager cannot listen on 127.0.0.1:"
              + port
              + ": "
              + bindFailure(e)
              + " (expected: a free port; choose another with --manager-port)",
          e);
    }
  }

  private static Proxy startProxy(DevPorts ports, HostPort manager) {
    ProxyConfig config =
        ProxyConfig.parse(
            "dev proxy",
            String.join(
                "\n",
                "listen_address = \"127.0.0.1:" + ports.proxy() + "\"",
                "control_address = \"127.0.0.1:" + ports.control() + "\"",
                "manager_address = \"http://" + manager + "\"",
                "[node]",
                "name = \"" + NODE + "\"",
                "peer_port = " + ports.peer(),
                ""));
    try {
      return Proxy.start(config);
    } catch (IOException e) {
      // The proxy names the listener (listen_address, control_address or peer_listen_address).
      throw new CliException(
          "the proxy "
              + e.getMessage()
              + " (expected: free ports; choose others with --proxy-port, --control-port and"
              + " --peer-port)",
          e);
    }
  }

  private static Engine startEngine(EngineConfig config, Telemetry telemetry) {
    try {
      return Engine.startWith(
          config,
          outbound ->
              new WasiHttpModuleLoader(
                  outbound,
                  telemetry.tracer(WasiHttpModuleLoader.TRACER_SCOPE),
                  CodeCache.open(config.artifacts().codeCacheDir())),
          telemetry);
    } catch (IOException e) {
      throw new CliException(
          "the engine of "
              + config.source()
              + " "
              + e.getMessage()
              + " (expected: a free port; change listen_address in "
              + config.source()
              + ")",
          e);
    }
  }

  /**
   * The modules of {@code config} as they register.
   *
   * @throws CliException when one failed to load: it could never become healthy
   */
  private static List<ModuleRef> loadedModules(EngineConfig config, Engine engine) {
    List<String> failed = new ArrayList<>();
    for (ModuleState state : engine.readiness().modules()) {
      if (!state.state().equals(ModuleState.READY)) {
        failed.add(state.module() + ": " + state.error());
      }
    }
    if (!failed.isEmpty()) {
      throw new CliException(
          config.source()
              + ": "
              + (failed.size() == 1 ? "a module failed to load: " : "modules failed to load: ")
              + String.join("; ", failed));
    }
    List<ModuleRef> modules = new ArrayList<>();
    for (ModuleConfig module : config.modules()) {
      modules.add(
          ModuleRef.newBuilder()
              .setNamespace(module.namespace())
              .setName(module.name())
              .setVersion(module.version())
              .build());
    }
    return modules;
  }

  /** Why a bind failed, without the transport's wording ("bind(..) failed with error(-98)"). */
  private static String bindFailure(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
    return message.contains(IN_USE) ? IN_USE : message;
  }

  /**
   * Waits until every module of every engine is routed healthy by the manager and the proxy holds
   * that routing table.
   *
   * @param timeout how long to wait
   * @param stopRequested when it counts down, the wait ends early
   * @return true when ready, false when a stop was requested first
   * @throws CliException at the timeout, naming each module that is not healthy and why
   * @throws InterruptedException when interrupted
   */
  public boolean awaitReady(Duration timeout, CountDownLatch stopRequested)
      throws InterruptedException {
    requireNonNull(timeout, "timeout");
    requireNonNull(stopRequested, "stopRequested");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<String> missing = notReady();
      if (missing.isEmpty()) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new CliException(
            "the stack was not ready within "
                + DurationConverter.format(timeout)
                + ": "
                + String.join("; ", missing)
                + " (the log above says why)");
      }
      if (stopRequested.await(Math.min(left, POLL.toNanos()), TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
  }

  /** What is not ready yet (see {@link #awaitReady}); empty when everything is. */
  public List<String> notReady() {
    long proxyVersion = proxy.hasRoutingTable() ? proxy.routingTable().version() : -1;
    return expected.notReady(ProtoMapping.table(manager.registry().routingTable()), proxyVersion);
  }

  /** {@code dev: manager ..., proxy ..., engines: ... on ...}, as {@code dev up} prints it. */
  public String summary() {
    return summary;
  }

  /** The bound addresses of the manager and the proxy. */
  public DevAddresses addresses() {
    return addresses;
  }

  /** The listener address of each engine, in configuration order. */
  public List<HostPort> engineAddresses() {
    return engines.stream().map(Engine::address).toList();
  }

  /** Stops the engines (each deregisters), then the proxy, then the manager. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop(engines, telemetry, proxy, manager);
  }

  private static void stop(
      List<Engine> engines, Telemetry telemetry, Proxy proxy, Manager manager) {
    // An interrupt (how a test ends dev up) must not cut a stop short and leave a port bound:
    // it is set aside while stopping and restored after.
    boolean interrupted = Thread.interrupted();
    for (Engine engine : engines.reversed()) {
      engine.close(GRACE);
    }
    if (telemetry != null) {
      telemetry.close();
    }
    try {
      if (proxy != null) {
        proxy.stop(GRACE);
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    try {
      if (manager != null) {
        manager.stop(GRACE);
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
