package io.wruntime.cli.dev;

import io.wruntime.cli.WrCli;
import io.wruntime.cli.options.DurationConverter;
import io.wruntime.common.config.ConfigException;
import io.wruntime.common.lifecycle.StopSignals;
import io.wruntime.engine.config.DatabaseConfig;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.config.ModuleCapabilities;
import io.wruntime.engine.config.ModuleConfig;
import io.wruntime.engine.db.PostgresUrl;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wr-cli dev up CONFIG...}: starts a {@link DevStack} from engine configurations, prints its
 * addresses, waits until every module is routed healthy, prints {@code dev: ready} and runs until
 * SIGINT or SIGTERM (or until its thread is interrupted), then stops the stack in order.
 *
 * <p>Exit codes: 0 after a stop on request, 1 when the stack cannot start (a port in use, a module
 * that does not load) or is not ready in time, 2 for a configuration or usage error.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Start a manager (in memory), a proxy and one engine per CONFIG in this JVM, on loopback;"
          + " run until Ctrl-C.",
      "",
      "Each engine's [node] proxy_address, control_address and manager_address are replaced by"
          + " the embedded proxy and manager. Prints \"dev: ready\" once every module is routed"
          + " healthy."
    })
public final class DevUpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "CONFIG",
      arity = "1..*",
      description = "Engine configurations (engine.toml), e.g. examples/config/quickstart.toml.")
  List<Path> configs = new ArrayList<>();

  @Option(
      names = "--manager-port",
      paramLabel = "PORT",
      defaultValue = "9000",
      description = "The manager's port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: any free one).")
  int managerPort;

  @Option(
      names = "--proxy-port",
      paramLabel = "PORT",
      defaultValue = "9001",
      description =
          "The proxy's module-traffic port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: any free"
              + " one).")
  int proxyPort;

  @Option(
      names = "--control-port",
      paramLabel = "PORT",
      defaultValue = "9002",
      description =
          "The proxy's NodeService port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: any free one).")
  int controlPort;

  @Option(
      names = "--peer-port",
      paramLabel = "PORT",
      defaultValue = "9443",
      description =
          "The proxy's peer port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: any free one).")
  int peerPort;

  @Option(
      names = "--ready-timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "How long the modules may take to be routed healthy (default: ${DEFAULT-VALUE}).")
  Duration readyTimeout;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      defaultValue = ".wruntime/dev",
      description =
          "Where the embedded PostgreSQL and S3 server keep their data and credentials between"
              + " runs, when a module needs them (default: ${DEFAULT-VALUE}, under the working"
              + " directory). Delete it to start afresh.")
  Path stateDir;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DevPorts ports;
    try {
      ports = new DevPorts(managerPort, proxyPort, controlPort, peerPort);
    } catch (IllegalArgumentException e) {
      err.println("wr-cli: " + e.getMessage());
      err.flush();
      return WrCli.EXIT_USAGE;
    }
    List<EngineConfig> engines = new ArrayList<>();
    try {
      for (Path config : configs) {
        engines.add(EngineConfig.load(config));
      }
    } catch (ConfigException e) {
      err.println("wr-cli: " + e.getMessage());
      err.flush();
      return WrCli.EXIT_USAGE;
    }

    CountDownLatch stopRequested = new CountDownLatch(1);
    DevServicePlan plan = DevServicePlan.of(engines.stream().map(DevUpCommand::needsOf).toList());
    try (StopSignals signals = StopSignals.install(stopRequested::countDown)) {
      // Closed after the stack: the engines stop before the database and blob store they use.
      try (DevServices services = startServices(plan, stateDir, out)) {
        DevStack stack;
        try {
          stack = DevStack.start(ports, withEmbeddedServices(engines, services));
        } catch (ConfigException e) {
          err.println("wr-cli: " + e.getMessage());
          err.flush();
          return WrCli.EXIT_USAGE;
        }
        try (stack) {
          out.println(stack.summary());
          out.flush();
          if (awaitReady(stack, stopRequested)) {
            out.println("dev: ready");
            out.flush();
            awaitStop(stopRequested);
          }
          out.println("dev: stopping");
          out.flush();
        }
      }
      out.println("dev: stopped");
      out.flush();
      return 0;
    }
  }

  /**
   * Starts the embedded services {@code plan} asks for under {@code stateDir} and prints one line
   * each ({@code dev: embedded PostgreSQL 127.0.0.1:NNNN, data in ...}; never a password).
   *
   * @return the started services, to be closed after the stack; null when the plan is empty (the
   *     state directory is then neither created nor locked)
   * @throws io.wruntime.cli.CliException when the state directory is in use by another {@code dev
   *     up} or a service cannot start; what started is stopped again
   */
  static DevServices startServices(DevServicePlan plan, Path stateDir, PrintWriter out) {
    if (plan.isEmpty()) {
      return null;
    }
    DevServices services = DevServices.open(stateDir);
    try {
      for (String line : services.start(plan).describe()) {
        out.println(line);
      }
      out.flush();
      return services;
    } catch (RuntimeException e) {
      services.close();
      throw e;
    }
  }

  /**
   * What an engine configuration needs from the embedded services. A module granted a database
   * ({@code [module.capabilities.db]}) uses one, configured when it has a {@code url_file} or the
   * engine a {@code [database]}; a module granted a blob store ({@code
   * [module.capabilities.blobstore]}) uses one, configured when it has credentials (its own {@code
   * credentials_dir}, or the engine's {@code [blobstore]} keys or {@code credentials_dir}).
   */
  static DevServicePlan.EngineNeeds needsOf(EngineConfig config) {
    boolean usesDatabase = false;
    boolean databaseConfigured = true;
    boolean usesBlobstore = false;
    boolean blobstoreConfigured = true;
    List<String> buckets = new ArrayList<>();
    for (ModuleConfig module : config.modules()) {
      ModuleCapabilities.Db db = module.capabilities().db();
      if (db != null) {
        usesDatabase = true;
        databaseConfigured &= db.urlFile() != null || config.database().hasServer();
      }
      ModuleCapabilities.Blobstore blob = module.capabilities().blobstore();
      if (blob != null) {
        usesBlobstore = true;
        blobstoreConfigured &= blob.hasCredentials();
        buckets.addAll(blob.buckets());
      }
    }
    return new DevServicePlan.EngineNeeds(
        config.source(),
        usesDatabase,
        databaseConfigured,
        usesBlobstore,
        blobstoreConfigured,
        buckets);
  }

  /**
   * The engines with the embedded services where they need them: the embedded PostgreSQL as {@code
   * [database]} where a module granted a database has none (no {@code url_file} of its own and no
   * {@code [database]} in the file; the file's pool settings stay), and the embedded S3 server (its
   * endpoint and keys, buckets in the path) for each module granted a blob store without
   * credentials (its buckets and caps stay).
   */
  static List<EngineConfig> withEmbeddedServices(List<EngineConfig> engines, DevServices services) {
    List<EngineConfig> out = new ArrayList<>();
    for (EngineConfig engine : engines) {
      DevServicePlan.EngineNeeds needs = needsOf(engine);
      if (needs.usesDatabase() && !needs.databaseConfigured() && services != null) {
        DevServices.Postgres postgres = services.postgres();
        DatabaseConfig file = engine.database();
        engine =
            engine.withDatabase(
                new DatabaseConfig(
                    new PostgresUrl(
                        postgres.address().host(),
                        postgres.address().port(),
                        DevServices.Postgres.DATABASE,
                        postgres.user(),
                        postgres.password()),
                    null,
                    file.maxConnections(),
                    file.statementTimeout(),
                    file.idleInTransactionTimeout(),
                    file.connectionTimeout()));
      }
      if (needs.usesBlobstore() && !needs.blobstoreConfigured() && services != null) {
        DevServices.S3 s3 = services.s3();
        ModuleCapabilities.Keys keys =
            new ModuleCapabilities.Keys(s3.accessKeyId(), s3.secretAccessKey());
        List<ModuleConfig> modules = new ArrayList<>();
        for (ModuleConfig module : engine.modules()) {
          ModuleCapabilities.Blobstore blob = module.capabilities().blobstore();
          if (blob != null && !blob.hasCredentials()) {
            module =
                module.withCapabilities(
                    module
                        .capabilities()
                        .withBlobstore(blob.withStore(s3.endpoint(), s3.region(), keys)));
          }
          modules.add(module);
        }
        engine = engine.withModules(modules);
      }
      out.add(engine);
    }
    return out;
  }

  /** False when a stop was requested (a signal or an interrupt) before the stack was ready. */
  private boolean awaitReady(DevStack stack, CountDownLatch stopRequested) {
    try {
      return stack.awaitReady(readyTimeout, stopRequested);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Returns on a stop signal, or on an interrupt (kept for the caller). */
  private static void awaitStop(CountDownLatch stopRequested) {
    try {
      stopRequested.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
