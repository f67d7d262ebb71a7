package io.wruntime.manager;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.lifecycle.BuildVersion;
import io.wruntime.common.lifecycle.StopSignals;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.manager.server.ManagerServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code wr-manager} entry point: loads {@code manager.toml}, serves until SIGTERM or SIGINT,
 * then stops gracefully. Exit codes: 0 stopped on a signal, 1 failure (e.g. the address is in use),
 * 2 configuration or usage error.
 */
@Command(
    name = "wr-manager",
    mixinStandardHelpOptions = true,
    versionProvider = ManagerMain.Version.class,
    description = "The wruntime manager: registry, routing table and admin API over gRPC.")
public final class ManagerMain implements Callable<Integer> {
  /** Exit code of a manager that could not start or failed while running. */
  public static final int EXIT_FAILURE = 1;

  /** Exit code of a command line or configuration that could not be understood. */
  public static final int EXIT_USAGE = 2;

  private static final Logger LOG = LoggerFactory.getLogger(ManagerMain.class);

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "The manager.toml to read; without it every key has its default.")
  Path config;

  /** Runs the manager and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** A fresh, fully configured command line. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ManagerMain());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("wr-manager: " + e.getMessage());
          return EXIT_FAILURE;
        });
    return cli;
  }

  @Override
  public Integer call() throws InterruptedException {
    ManagerConfig loaded;
    try {
      loaded = config == null ? ManagerConfig.defaults() : ManagerConfig.load(config);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("wr-manager: " + e.getMessage());
      return EXIT_USAGE;
    }
    CountDownLatch stopRequested = new CountDownLatch(1);
    StopSignals.install(stopRequested::countDown);
    Manager manager;
    try {
      manager = Manager.start(loaded);
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println(
              "wr-manager: cannot serve on listen_address "
                  + loaded.listenAddress()
                  + ": "
                  + e.getMessage());
      return EXIT_FAILURE;
    }
    stopRequested.await();
    LOG.info("manager stopping (grace {} s)", ManagerServer.DEFAULT_GRACE.toSeconds());
    boolean clean = manager.stop(ManagerServer.DEFAULT_GRACE);
    LOG.info(
        clean
            ? "manager stopped"
            : "manager stopped; calls still running at the deadline were" + " cancelled");
    return 0;
  }

  /** Reads the version Maven wrote into {@code version.properties} at build time. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return BuildVersion.versionLines(ManagerMain.class, "wr-manager");
    }
  }
}
