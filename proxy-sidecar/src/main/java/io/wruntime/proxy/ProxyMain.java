package io.wruntime.proxy;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.lifecycle.BuildVersion;
import io.wruntime.common.lifecycle.StopSignals;
import io.wruntime.proxy.config.ProxyConfig;
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
 * The {@code wr-proxy} entry point: loads {@code proxy.toml}, serves until SIGTERM or SIGINT, then
 * stops gracefully. Exit codes: 0 stopped on a signal, 1 failure (e.g. an address is in use), 2
 * configuration or usage error.
 */
@Command(
    name = "wr-proxy",
    mixinStandardHelpOptions = true,
    versionProvider = ProxyMain.Version.class,
    description = "The wruntime proxy sidecar: routes the calls of local engines across the mesh.")
public final class ProxyMain implements Callable<Integer> {
  /** Exit code of a proxy that could not start or failed while running. */
  public static final int EXIT_FAILURE = 1;

  /** Exit code of a command line or configuration that could not be understood. */
  public static final int EXIT_USAGE = 2;

  private static final Logger LOG = LoggerFactory.getLogger(ProxyMain.class);

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      required = true,
      description = "The proxy.toml to read (manager_address is required).")
  Path config;

  /** Runs the proxy and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** A fresh, fully configured command line. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ProxyMain());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("wr-proxy: " + e.getMessage());
          return EXIT_FAILURE;
        });
    return cli;
  }

  @Override
  public Integer call() throws InterruptedException {
    ProxyConfig loaded;
    try {
      loaded = ProxyConfig.load(config);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("wr-proxy: " + e.getMessage());
      return EXIT_USAGE;
    }
    CountDownLatch stopRequested = new CountDownLatch(1);
    StopSignals.install(stopRequested::countDown);
    Proxy proxy;
    try {
      proxy = Proxy.start(loaded);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("wr-proxy: " + e.getMessage());
      return EXIT_USAGE;
    } catch (IOException e) {
      spec.commandLine().getErr().println("wr-proxy: " + e.getMessage());
      return EXIT_FAILURE;
    }
    stopRequested.await();
    LOG.info("proxy stopping (grace {} s)", Proxy.DEFAULT_GRACE.toSeconds());
    boolean clean = proxy.stop(Proxy.DEFAULT_GRACE);
    LOG.info(
        clean ? "proxy stopped" : "proxy stopped; requests still running at the deadline were cut");
    return 0;
  }

  /** Reads the version Maven wrote into {@code version.properties} at build time. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return BuildVersion.versionLines(ProxyMain.class, "wr-proxy");
    }
  }
}
