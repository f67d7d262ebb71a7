package io.wruntime.benchmarks;

import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.manager.Manager;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.proxy.Proxy;
import io.wruntime.proxy.config.ProxyConfig;
import io.wruntime.proxy.routing.RoutingTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A manager, a proxy and an engine in this JVM, on loopback ports the system chooses, with their
 * default settings: the engine's {@code [node]} points at the proxy, so modules' outgoing calls go
 * through it, and it registers its modules (with their schemas) through the proxy. {@link #start}
 * returns once the proxy routes every module healthy.
 *
 * <p>Settings to compare against the defaults come from system properties (so {@code JAVA_OPTS}):
 * {@code wr.benchmark.engine-toml} and {@code wr.benchmark.proxy-toml} are TOML tables appended to
 * the engine's and the proxy's configuration, with {@code \n} for a line break and no spaces
 * (JAVA_OPTS is split at spaces), e.g. {@code -Dwr.benchmark.engine-toml=[pool]\nguest_threads=16}.
 */
final class LocalStack implements AutoCloseable {
  static final String NAMESPACE = "example";
  static final String VERSION = "1.0.0";

  /**
   * A module of examples/: {@code examples/NAME/NAME.wasm}, {@code examples/schemas/NAME.binpb}.
   */
  record Module(String name, Path wasm, Path schema) {
    static Module example(Path root, String name) {
      return new Module(
          name,
          root.resolve("examples/" + name + "/" + name + ".wasm"),
          root.resolve("examples/schemas/" + name + ".binpb"));
    }
  }

  final Manager manager;
  final Proxy proxy;
  final Engine engine;

  private LocalStack(Manager manager, Proxy proxy, Engine engine) {
    this.manager = manager;
    this.proxy = proxy;
    this.engine = engine;
  }

  /** Exits with status 2 and a message when a module's files are not built. */
  static void requireBuilt(List<Module> modules) {
    for (Module m : modules) {
      for (Path p : List.of(m.wasm(), m.schema())) {
        if (!Files.isRegularFile(p)) {
          System.err.println(
              p + " does not exist (expected: the built examples, ./mvnw -B -pl examples compile)");
          System.exit(2);
        }
      }
    }
  }

  static LocalStack start(List<Module> modules) throws Exception {
    Manager manager =
        Manager.start(
            ManagerConfig.parse("benchmark manager.toml", "listen_address = \"127.0.0.1:0\"\n"));
    Proxy proxy = null;
    Engine engine = null;
    try {
      proxy =
          Proxy.start(
              ProxyConfig.parse(
                  "benchmark proxy.toml",
                  """
                  listen_address = "127.0.0.1:0"
                  control_address = "127.0.0.1:0"
                  manager_address = "http://%s"
                  [node]
                  name = "benchmark"
                  peer_port = 0
                  %s
                  """
                      .formatted(
                          manager.listenAddress(),
                          System.getProperty("wr.benchmark.proxy-toml", "").replace("\\n", "\n"))));
      StringBuilder toml =
          new StringBuilder(
              """
              listen_address = "127.0.0.1:0"
              [node]
              proxy_address = "http://%s"
              control_address = "%s"
              heartbeat_interval_secs = 1
              """
                  .formatted(proxy.listenAddress(), proxy.controlAddress()));
      toml.append(System.getProperty("wr.benchmark.engine-toml", "").replace("\\n", "\n"))
          .append('\n');
      for (Module m : modules) {
        toml.append(
            """
            [[module]]
            name = "%s"
            namespace = "%s"
            version = "%s"
            wasm_path = "%s"
            schema_path = "%s"
            """
                .formatted(
                    m.name(), NAMESPACE, VERSION, tomlString(m.wasm()), tomlString(m.schema())));
      }
      engine =
          Engine.startWith(
              EngineConfig.parse("benchmark engine.toml", toml.toString()),
              WasiHttpModuleLoader::new);
      for (Module m : modules) {
        awaitRouted(proxy, m.name(), Duration.ofSeconds(30));
      }
      return new LocalStack(manager, proxy, engine);
    } catch (Exception | Error e) {
      if (engine != null) {
        engine.close(Duration.ofSeconds(1));
      }
      if (proxy != null) {
        proxy.stop(Duration.ofSeconds(1));
      }
      manager.stop(Duration.ofSeconds(1));
      throw e;
    }
  }

  /** Polls the proxy's routing table: a harness, not a test, so no Awaitility on its path. */
  private static void awaitRouted(Proxy proxy, String module, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      RoutingTable.Service service = proxy.routingTable().service(NAMESPACE, module);
      if (service != null && !service.instances().isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the proxy did not route "
                + NAMESPACE
                + "."
                + module
                + " healthy within "
                + limit.toSeconds()
                + " s (expected: the engine registers through the proxy and reports it healthy)");
      }
      Thread.sleep(50);
    }
  }

  private static String tomlString(Path path) {
    return path.toString().replace("\\", "\\\\").replace("\"", "\\\"");
  }

  @Override
  public void close() throws InterruptedException {
    engine.close(Duration.ofSeconds(1));
    proxy.stop(Duration.ofSeconds(1));
    manager.stop(Duration.ofSeconds(1));
  }
}
