package io.wruntime.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.wruntime.common.config.ConfigException;
import io.wruntime.common.lifecycle.BuildVersion;
import io.wruntime.common.lifecycle.StopSignals;
import io.wruntime.operator.config.OperatorConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code wr-operator} entry point: loads {@code operator.toml}, connects to the cluster (the
 * in-cluster ServiceAccount, else the kubeconfig), reconciles until SIGTERM or SIGINT. Exit codes:
 * 0 stopped on a signal, 1 failure, 2 configuration or usage error.
 */
@Command(
    name = "wr-operator",
    mixinStandardHelpOptions = true,
    versionProvider = OperatorMain.Version.class,
    description = "The wruntime operator: turns WasmModules into engine pods with a proxy sidecar.")
public final class OperatorMain implements Callable<Integer> {
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      required = true,
      description = "The operator.toml to read (manager_address, [engine] and [proxy] images).")
  Path config;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** A fresh, fully configured command line. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new OperatorMain());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("wr-operator: " + e.getMessage());
          return EXIT_FAILURE;
        });
    return cli;
  }

  @Override
  public Integer call() throws InterruptedException {
    OperatorConfig loaded;
    try {
      loaded = OperatorConfig.load(config);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("wr-operator: " + e.getMessage());
      return EXIT_USAGE;
    }
    CountDownLatch stopRequested = new CountDownLatch(1);
    StopSignals.install(stopRequested::countDown);
    KubernetesClient client = new KubernetesClientBuilder().build();
    WruntimeOperator operator;
    AtomicInteger exitCode = new AtomicInteger();
    try {
      operator =
          WruntimeOperator.start(
              loaded,
              client,
              identity(),
              true,
              () -> {
                exitCode.set(EXIT_FAILURE);
                stopRequested.countDown();
              });
    } catch (IOException | RuntimeException e) {
      client.close();
      spec.commandLine().getErr().println("wr-operator: cannot start: " + e.getMessage());
      return EXIT_FAILURE;
    }
    stopRequested.await();
    LOG.info("operator stopping");
    operator.close();
    LOG.info("operator stopped");
    return exitCode.get();
  }

  /** The pod name (HOSTNAME in a pod), else this host's name. */
  private static String identity() {
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    try {
      return Objects.requireNonNullElse(
          System.getenv("HOSTNAME"), InetAddress.getLocalHost().getHostName());
    } catch (IOException e) {
      return "wr-operator";
    }
  }

  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return BuildVersion.versionLines(OperatorMain.class, "wr-operator");
    }
  }
}
