package io.wruntime.tests;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.wruntime.proto.v1.GetRoutingTableRequest;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingTable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Managers, proxies, engines and {@code wr-cli} of one test class, each a child process on loopback
 * with ports chosen by the system, configured with short heartbeat timeouts: manager {@code
 * engine_heartbeat_timeout_secs = 2} and {@code health_check_interval_secs = 1}, engines {@code
 * heartbeat_interval_secs = 1}. Configs and output go to {@code tests/target/it-processes/<name>/}.
 *
 * <p>{@link #close} stops engines, then proxies, then managers with SIGTERM and fails when one did
 * not exit with code 0 (processes killed on purpose aside).
 */
final class LocalCluster implements AutoCloseable {
  static final Pattern MANAGER_LISTENING =
      Pattern.compile("manager listening on 127\\.0\\.0\\.1:(\\d+)");
  static final Pattern PROXY_LISTENING =
      Pattern.compile(
          "proxy listening on 127\\.0\\.0\\.1:(\\d+) \\(peer 127\\.0\\.0\\.1:(\\d+), control"
              + " 127\\.0\\.0\\.1:(\\d+)\\)");
  static final Pattern ADMIN_LISTENING =
      Pattern.compile("admin endpoints on 127\\.0\\.0\\.1:(\\d+)");
  static final Pattern ENGINE_LISTENING =
      Pattern.compile("engine listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern ROUTING_TABLE_VERSION =
      // Prometheus text writes every value as a float: 42.0, or 1.796419529491E12 for the
      // clock-based versions of cluster mode.
      Pattern.compile("(?m)^wr_proxy_routing_table_version(?:\\{[^}]*\\})? (\\S+)");

  /** The manager's timeout: an engine whose heartbeat is older has its routes unhealthy. */
  static final Duration ENGINE_HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);

  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** A started {@code wr-manager}. */
  record Manager(ServerProcess process, int port) {
    String address() {
      return "http://127.0.0.1:" + port;
    }
  }

  /** A started {@code wr-proxy}: its internal, peer, control (NodeService) and admin ports. */
  record Proxy(
      ServerProcess process, String node, int port, int peerPort, int controlPort, int adminPort) {
    String address() {
      return "http://127.0.0.1:" + port;
    }

    /** A request to the internal listener (as an engine sends it) for {@code destination}. */
    HttpRequest.Builder request(String destination) {
      URI uri = URI.create(destination);
      String pathAndQuery =
          uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      return HttpRequest.newBuilder(URI.create(address() + pathAndQuery))
          .timeout(Duration.ofSeconds(60))
          .header("x-wr-destination", destination);
    }
  }

  /** A started {@code wr-engine}. */
  record Engine(ServerProcess process, String id, int port) {}

  /** What one {@code wr-cli} run printed. */
  record CliResult(int exitCode, String stdout, String stderr) {}

  /**
   * One {@code [[module]]} entry of an engine config.
   *
   * @param extraToml more keys of the entry, e.g. {@code request_timeout_secs = 300}
   */
  record Module(String name, String version, Path wasm, Path schema, String extraToml) {
    /** {@code example.echo} (examples/echo) at {@code version}. */
    static Module echo(String version) {
      Path root = ServerProcess.root();
      return new Module(
          "echo",
          version,
          root.resolve("examples/echo/echo.wasm"),
          root.resolve("examples/schemas/echo.binpb"),
          "");
    }

    /** {@code example.caller@1.0.0} (examples/caller). */
    static Module caller() {
      Path root = ServerProcess.root();
      return new Module(
          "caller",
          "1.0.0",
          root.resolve("examples/caller/caller.wasm"),
          root.resolve("examples/schemas/caller.binpb"),
          "");
    }

    Module with(String toml) {
      return new Module(name, version, wasm, schema, extraToml + toml + "\n");
    }

    /** {@code namespace.name@version}, as the engine labels the module. */
    String label() {
      return "example." + name + "@" + version;
    }

    String toml() {
      return """

          [[module]]
          name = "%s"
          namespace = "example"
          version = "%s"
          wasm_path = "%s"
          schema_path = "%s"
          %s"""
          .formatted(name, version, wasm, schema, extraToml);
    }
  }

  private final String name;
  private final Path dir;
  private final Map<String, String> env;
  private final List<ServerProcess> managers = new ArrayList<>();
  private final List<ServerProcess> proxies = new ArrayList<>();
  private final List<ServerProcess> engines = new ArrayList<>();
  private Manager manager;
  private ManagedChannel channel;
  private ChannelCredentials managerCredentials = InsecureChannelCredentials.create();
  private int cliRuns;

  /**
   * @param name the directory under {@code tests/target/it-processes} for configs and output
   * @param env variables every process gets, e.g. {@code OTEL_EXPORTER_OTLP_ENDPOINT}
   */
  LocalCluster(String name, Map<String, String> env) {
    this.name = requireNonNull(name, "name");
    this.env = Map.copyOf(env);
    this.dir = ServerProcess.logDirectory(name);
  }

  LocalCluster(String name) {
    this(name, Map.of());
  }

  private Map<String, String> env(String javaOpts) {
    Map<String, String> all = new HashMap<>(env);
    all.put("JAVA_OPTS", javaOpts);
    return all;
  }

  private Path writeConfig(String fileName, String toml) throws IOException {
    Path file = dir.resolve(fileName);
    Files.writeString(file, toml);
    return file;
  }

  /** Starts the cluster's manager and waits until it listens. */
  Manager startManager() throws IOException {
    return startManager("", Map.of());
  }

  /**
   * Starts the cluster's manager with more of manager.toml (e.g. a {@code [kubernetes]} table) and
   * more environment (e.g. {@code KUBECONFIG}), and waits until it listens.
   */
  Manager startManager(String extraToml, Map<String, String> extraEnv) throws IOException {
    return startManager(0, extraToml, extraEnv, ENGINE_HEARTBEAT_TIMEOUT);
  }

  /**
   * A manager with a longer engine heartbeat timeout, for tests whose engines work hard enough
   * (compiling large guests, streaming 64 MiB bodies on two cores) that a heartbeat can be late by
   * more than {@link #ENGINE_HEARTBEAT_TIMEOUT} without the engine being unhealthy.
   */
  Manager startManager(Duration heartbeatTimeout) throws IOException {
    return startManager(0, "", Map.of(), heartbeatTimeout);
  }

  /**
   * Stops the cluster's manager (SIGTERM, waiting for its exit) and starts a new one on the same
   * port with {@code extraToml}, as a restart without stored state.
   */
  Manager restartManager(String extraToml) throws IOException, InterruptedException {
    requireNonNull(manager, "manager (start it first)");
    manager.process().sigterm();
    int exit = manager.process().awaitExit(Duration.ofSeconds(30));
    if (exit != 0) {
      throw new IllegalStateException("the manager exited with code " + exit + " on SIGTERM");
    }
    return startManager(manager.port(), extraToml, Map.of(), ENGINE_HEARTBEAT_TIMEOUT);
  }

  private Manager startManager(
      int port, String extraToml, Map<String, String> extraEnv, Duration heartbeatTimeout)
      throws IOException {
    String file = managers.isEmpty() ? "manager" : "manager-" + (managers.size() + 1);
    Path config =
        writeConfig(
            file + ".toml",
            """
            listen_address = "127.0.0.1:%d"
            engine_heartbeat_timeout_secs = %d
            health_check_interval_secs = 1
            """
                    .formatted(port, heartbeatTimeout.toSeconds())
                + extraToml);
    Map<String, String> processEnv = env("-Xmx128m");
    processEnv.putAll(extraEnv);
    ServerProcess process =
        ServerProcess.start(
            "wr-manager",
            dir.resolve(file + ".log"),
            processEnv,
            List.of("--config", config.toString()));
    managers.add(process);
    manager = new Manager(process, Integer.parseInt(process.await(MANAGER_LISTENING).group(1)));
    return manager;
  }

  /** Starts a proxy of node {@code node}, talking to the manager, and waits until it listens. */
  Proxy startProxy(String node) throws IOException {
    return startProxy(node, "");
  }

  /**
   * As {@link #startProxy(String)}, with more of proxy.toml after the {@code [node]} table's keys
   * (e.g. a {@code [node.tls]} or an {@code [egress]} table).
   */
  Proxy startProxy(String node, String extraToml) throws IOException {
    requireNonNull(manager, "manager (start it first)");
    Path config =
        writeConfig(
            "proxy-" + node + ".toml",
            """
            listen_address = "127.0.0.1:0"
            control_address = "127.0.0.1:0"
            manager_address = "%s"
            admin_address = "127.0.0.1:0"

            [node]
            name = "%s"
            peer_port = 0
            """
                    .formatted(manager.address(), node)
                + extraToml);
    ServerProcess process =
        ServerProcess.start(
            "wr-proxy",
            dir.resolve("proxy-" + node + ".log"),
            env("-Xmx256m"),
            List.of("--config", config.toString()));
    proxies.add(process);
    MatchResult ports = process.await(PROXY_LISTENING);
    int admin = Integer.parseInt(process.await(ADMIN_LISTENING).group(1));
    return new Proxy(
        process,
        node,
        Integer.parseInt(ports.group(1)),
        Integer.parseInt(ports.group(2)),
        Integer.parseInt(ports.group(3)),
        admin);
  }

  /**
   * Starts an engine with id {@code id} that registers through {@code proxy} and hosts {@code
   * modules}, without waiting for it: {@link #awaitListening} does.
   */
  ServerProcess launchEngine(String id, Proxy proxy, String javaOpts, Module... modules)
      throws IOException {
    return launchEngine(id, proxy, javaOpts, 0, modules);
  }

  /** As {@link #launchEngine(String, Proxy, String, Module...)}, listening on {@code port}. */
  ServerProcess launchEngine(String id, Proxy proxy, String javaOpts, int port, Module... modules)
      throws IOException {
    return launchEngine(id, id, proxy, javaOpts, port, modules);
  }

  /**
   * As {@link #launchEngine(String, Proxy, String, int, Module...)}, with config and log files
   * named {@code fileName}: for a second process with the same engine id.
   */
  ServerProcess launchEngine(
      String id, String fileName, Proxy proxy, String javaOpts, int port, Module... modules)
      throws IOException {
    StringBuilder toml =
        new StringBuilder(
            """
            listen_address = "127.0.0.1:%d"

            [node]
            proxy_address = "%s"
            control_address = "127.0.0.1:%d"
            engine_id = "%s"
            heartbeat_interval_secs = 1
            """
                .formatted(port, proxy.address(), proxy.controlPort(), id));
    for (Module m : modules) {
      toml.append(m.toml());
    }
    Path config = writeConfig(fileName + ".toml", toml.toString());
    ServerProcess process =
        ServerProcess.start(
            "wr-engine",
            dir.resolve(fileName + ".log"),
            env(javaOpts),
            List.of("--config", config.toString()));
    engines.add(process);
    return process;
  }

  /** Waits until an engine started with {@link #launchEngine} listens. */
  static Engine awaitListening(ServerProcess engine) {
    return new Engine(
        engine, engine.name(), Integer.parseInt(engine.await(ENGINE_LISTENING).group(1)));
  }

  /** Waits until an engine with id {@code id} (whatever its files are named) listens. */
  static Engine awaitListening(ServerProcess engine, String id) {
    return new Engine(engine, id, Integer.parseInt(engine.await(ENGINE_LISTENING).group(1)));
  }

  /** Starts an engine (256 MiB heap) and waits until it listens. */
  Engine startEngine(String id, Proxy proxy, Module... modules) throws IOException {
    return awaitListening(launchEngine(id, proxy, "-Xmx256m", modules));
  }

  /** Runs {@code bin/wr-cli --manager M --proxy P args...} and waits for it to exit. */
  CliResult cli(Proxy proxy, String... args) throws IOException, InterruptedException {
    requireNonNull(manager, "manager (start it first)");
    List<String> command = new ArrayList<>();
    Collections.addAll(command, "--manager", manager.address(), "--proxy", proxy.address());
    Collections.addAll(command, args);
    return cli(command);
  }

  /** Runs {@code bin/wr-cli args...} (no address added) and waits for it to exit. */
  CliResult cli(List<String> command) throws IOException, InterruptedException {
    int run = ++cliRuns;
    // A short-lived client: the C1 compiler alone starts it faster.
    try (ServerProcess cli =
        ServerProcess.start(
            "wr-cli",
            dir.resolve("wr-cli-" + run + ".log"),
            dir.resolve("wr-cli-" + run + ".err"),
            env("-Xmx128m -XX:TieredStopAtLevel=1"),
            command)) {
      int exit = cli.awaitExit(Duration.ofSeconds(60));
      return new CliResult(exit, cli.output(), cli.errorOutput());
    }
  }

  /**
   * How {@link #routingTable} reaches the manager from now on (plaintext by default), e.g. mTLS
   * with an admin certificate for a manager with {@code [tls]}.
   */
  synchronized void managerCredentials(ChannelCredentials credentials) {
    managerCredentials = requireNonNull(credentials, "credentials");
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
  }

  /** The manager's routing table, over gRPC. */
  RoutingTable routingTable() {
    requireNonNull(manager, "manager (start it first)");
    synchronized (this) {
      if (channel == null) {
        channel =
            Grpc.newChannelBuilderForAddress("127.0.0.1", manager.port(), managerCredentials)
                .build();
      }
    }
    return ManagerServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .getRoutingTable(GetRoutingTableRequest.getDefaultInstance())
        .getTable();
  }

  /** The routing-table version {@code proxy} serves, from its {@code /metrics}. */
  static long proxyTableVersion(Proxy proxy) throws IOException, InterruptedException {
    Matcher m = ROUTING_TABLE_VERSION.matcher(get(proxy.adminPort(), "/metrics"));
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  /**
   * Waits until the manager's routing table meets {@code condition} and every one of {@code
   * proxies} serves that table (or a newer one).
   *
   * @return the manager's table that met the condition
   */
  RoutingTable awaitRoutingTable(
      Duration timeout, Predicate<RoutingTable> condition, Proxy... proxies) {
    RoutingTable[] met = new RoutingTable[1];
    await("the manager's routing table meets the condition")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              RoutingTable table = routingTable();
              met[0] = table;
              return condition.test(table);
            });
    for (Proxy proxy : proxies) {
      await("proxy " + proxy.node() + " serves routing table version " + met[0].getVersion())
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> proxyTableVersion(proxy) >= met[0].getVersion());
    }
    return met[0];
  }

  /** Waits until every module of every engine has a healthy route that every proxy serves. */
  RoutingTable awaitHealthy(List<Engine> engines, List<Module> modules, Proxy... proxies) {
    return awaitRoutingTable(
        Duration.ofSeconds(60),
        table ->
            engines.stream()
                .allMatch(
                    e ->
                        modules.stream()
                            .allMatch(
                                m ->
                                    table.getRoutesList().stream()
                                        .anyMatch(
                                            r ->
                                                r.getEngineId().equals(e.id())
                                                    && r.getHealthy()
                                                    && label(r).equals(m.label())))),
        proxies);
  }

  /** {@code namespace.name@version} of a route. */
  static String label(Route route) {
    return route.getModule().getNamespace()
        + "."
        + route.getModule().getName()
        + "@"
        + route.getModule().getVersion();
  }

  /** {@code GET http://127.0.0.1:port/path}; the body of a 200 answer. */
  static String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + path + " on port " + port + " answered " + response.statusCode());
    }
    return response.body();
  }

  /**
   * The value of one series in Prometheus text, e.g. {@code
   * wr_engine_requests_total{module="example.echo@1.0.0",status="200"}}; 0 when absent.
   */
  static double metric(String metrics, String series) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  /** Requests with status 200 that {@code engine} dispatched to {@code module}, probes included. */
  static long okRequests(Engine engine, Module module) throws IOException, InterruptedException {
    return (long)
        metric(
            get(engine.port(), "/metrics"),
            "wr_engine_requests_total{module=\"" + module.label() + "\",status=\"200\"}");
  }

  /**
   * Stops engines, then proxies, then managers (SIGTERM; SIGKILL after 20 s).
   *
   * @throws AssertionError when a process that was not killed on purpose exited with a code other
   *     than 0
   */
  @Override
  public void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
    }
    List<String> unclean = new ArrayList<>();
    for (List<ServerProcess> group : List.of(engines, proxies, managers)) {
      for (ServerProcess p : group) {
        if (p.isAlive()) {
          p.sigterm(); // all of a group at once: they stop in parallel
        }
      }
      for (ServerProcess p : group) {
        int exit = p.stop();
        if (exit != 0 && !p.wasKilled()) {
          unclean.add(p + " exited with code " + exit);
        }
      }
    }
    if (!unclean.isEmpty()) {
      throw new AssertionError(
          "cluster " + name + ": " + unclean.stream().collect(Collectors.joining("; ")));
    }
  }
}
