package io.wruntime.cli;

import io.wruntime.cli.cert.CertCommand;
import io.wruntime.cli.client.Endpoint;
import io.wruntime.cli.client.ManagerClient;
import io.wruntime.cli.dev.DevCommand;
import io.wruntime.cli.invoke.InvokeCommand;
import io.wruntime.cli.kube.KubeSession;
import io.wruntime.cli.kube.Kubeconfig;
import io.wruntime.cli.metrics.MetricsCommand;
import io.wruntime.cli.module.ModuleCommand;
import io.wruntime.cli.modules.ModulesCommand;
import io.wruntime.cli.options.EndpointConverter;
import io.wruntime.cli.options.EnvironmentDefaults;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.cli.registry.EnginesCommand;
import io.wruntime.cli.registry.RoutesCommand;
import io.wruntime.cli.registry.ServicesCommand;
import io.wruntime.common.tls.TlsFiles;
import io.wruntime.common.tls.TlsMaterial;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code wr-cli} entry point. Exit codes: 0 success, 1 failure, 2 usage error.
 *
 * <p>Commands print only through {@code spec.commandLine().getOut()} and {@code getErr()}, so a
 * test that runs {@link #commandLine()} with its own writers sees everything a user would. The
 * global options ({@code --manager}, {@code --proxy}, {@code --output}) may stand before or after
 * the command; each command reaches them through {@link #of(CommandSpec)}. A command group is one
 * class listing its subcommands (see {@link EnginesCommand}); a new group such as {@code dev} is
 * one more entry in {@code subcommands} below.
 */
@Command(
    name = "wr-cli",
    mixinStandardHelpOptions = true,
    versionProvider = WrCli.Version.class,
    description = "Command-line client of the wruntime WebAssembly runtime.",
    subcommands = {
      InvokeCommand.class,
      EnginesCommand.class,
      ServicesCommand.class,
      RoutesCommand.class,
      MetricsCommand.class,
      ModulesCommand.class,
      DevCommand.class,
      ModuleCommand.class,
      CertCommand.class,
      HelpCommand.class
    })
public final class WrCli implements Callable<Integer> {
  /** Exit code of a command that ran and failed. */
  public static final int EXIT_FAILURE = 1;

  /** Exit code of a command line that could not be understood. */
  public static final int EXIT_USAGE = 2;

  /** Where the manager listens unless {@code --manager} or {@code WR_MANAGER} says otherwise. */
  public static final String DEFAULT_MANAGER = "http://127.0.0.1:9000";

  /** Where {@code --kube} looks for the manager's Service unless told otherwise. */
  public static final String DEFAULT_KUBE_NAMESPACE = "wruntime-system";

  /** Where the proxy takes module traffic unless {@code --proxy} or {@code WR_PROXY} says so. */
  public static final String DEFAULT_PROXY = "http://127.0.0.1:9001";

  @Spec CommandSpec spec;

  @Option(
      names = "--manager",
      paramLabel = "URL",
      scope = ScopeType.INHERIT,
      defaultValue = DEFAULT_MANAGER,
      converter = EndpointConverter.class,
      description = {"Manager's gRPC address (env WR_MANAGER).", "Default: " + DEFAULT_MANAGER})
  Endpoint manager;

  @Option(
      names = "--proxy",
      paramLabel = "URL",
      scope = ScopeType.INHERIT,
      defaultValue = DEFAULT_PROXY,
      converter = EndpointConverter.class,
      description = {"Proxy's module-traffic address (env WR_PROXY).", "Default: " + DEFAULT_PROXY})
  Endpoint proxy;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      scope = ScopeType.INHERIT,
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "Client certificate (PEM, role admin) for mTLS to the manager (env WR_TLS_CERT); with"
              + " --tls-key and --tls-ca.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Private key of --tls-cert (PEM, PKCS#8) (env WR_TLS_KEY).")
  Path tlsKey;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "CA certificate the manager's certificate must chain to (env WR_TLS_CA); the manager is"
              + " checked by its certificate's role (manager), not by host name.")
  Path tlsCa;

  @Option(
      names = "--kube",
      scope = ScopeType.INHERIT,
      description = {
        "Reach the manager and proxies of the cluster of the current kubeconfig context through"
            + " port-forwards (env WR_KUBE=1); --manager and --proxy, when given, still win."
      })
  boolean kube;

  @Option(
      names = "--kube-namespace",
      paramLabel = "NS",
      scope = ScopeType.INHERIT,
      defaultValue = DEFAULT_KUBE_NAMESPACE,
      description =
          "Namespace of the manager's Service (env WR_KUBE_NAMESPACE; default:"
              + " ${DEFAULT-VALUE}).")
  String kubeNamespace;

  @Option(
      names = "--kube-context",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description = "kubeconfig context to use (default: the current context).")
  String kubeContext;

  private final Map<String, String> environment;
  private KubeSession kubeSession;

  private WrCli(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** Runs the CLI and exits the JVM with the command's exit code. */
  public static void main(String[] args) {
    // Logging is built by io.wruntime.common.logging.ServerLogConfigurator: name the CLI's
    // profile, as the servers wr-cli dev runs bring their own (META-INF/wruntime/log-profile).
    if (System.getProperty("wruntime.log-profile") == null) {
      System.setProperty("wruntime.log-profile", "cli");
    }
    System.exit(commandLine().execute(args));
  }

  /** A fresh, fully configured command line reading the process environment. */
  public static CommandLine commandLine() {
    return commandLine(System.getenv());
  }

  /**
   * A fresh, fully configured command line; callers may replace its out and err writers.
   *
   * @param environment where {@code WR_MANAGER}, {@code WR_PROXY} and {@code WR_PROXY_ADMIN} are
   *     read from
   */
  public static CommandLine commandLine(Map<String, String> environment) {
    WrCli root = new WrCli(environment);
    CommandLine cli = new CommandLine(root);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    // "@FILE" is how --data and --body name a file: it must reach them, not expand to arguments.
    cli.setExpandAtFiles(false);
    cli.setDefaultValueProvider(new EnvironmentDefaults(environment));
    cli.setExecutionStrategy(
        parseResult -> {
          try {
            return new CommandLine.RunLast().execute(parseResult);
          } finally {
            root.closeKube();
          }
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("wr-cli: " + message(e));
          commandLine.getErr().flush();
          return e instanceof UsageException ? EXIT_USAGE : EXIT_FAILURE;
        });
    return cli;
  }

  private static String message(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /** The root command of {@code spec}'s command line, which holds the global options. */
  public static WrCli of(CommandSpec spec) {
    return (WrCli) spec.root().userObject();
  }

  /**
   * The manager's address: {@code --manager}; with {@code --kube} and no {@code --manager} on the
   * command line, the local end of a port-forward to the manager's Service.
   */
  public Endpoint manager() {
    if (kube && !onCommandLine("--manager")) {
      return kube().manager().endpoint();
    }
    return manager;
  }

  /**
   * A client of the manager at {@link #manager()}, over mTLS with {@code --tls-cert}, {@code
   * --tls-key} and {@code --tls-ca}; the caller closes it.
   *
   * @throws UsageException when only some of the TLS options are given or their files are unusable
   */
  public ManagerClient managerClient() {
    TlsMaterial tls = tls();
    if (kube && !onCommandLine("--manager")) {
      KubeSession.Forward forward = kube().manager();
      return ManagerClient.connect(
          forward.endpoint(), forward.endpoint() + " (" + forward.description() + ")", tls);
    }
    return ManagerClient.connect(manager, manager.toString(), tls);
  }

  /** The client's TLS material from {@code --tls-*}, or null when none is given. */
  private TlsMaterial tls() {
    if (tlsCert == null && tlsKey == null && tlsCa == null) {
      return null;
    }
    List<String> missing = new ArrayList<>();
    if (tlsCert == null) {
      missing.add("--tls-cert (WR_TLS_CERT)");
    }
    if (tlsKey == null) {
      missing.add("--tls-key (WR_TLS_KEY)");
    }
    if (tlsCa == null) {
      missing.add("--tls-ca (WR_TLS_CA)");
    }
    if (!missing.isEmpty()) {
      throw new UsageException(
          "missing "
              + String.join(" and ", missing)
              + " (expected: --tls-cert, --tls-key and --tls-ca together, e.g. the tls.crt, tls.key"
              + " and ca.crt of wr-cli cert generate --role admin)");
    }
    for (Path file : List.of(tlsCert, tlsKey, tlsCa)) {
      if (!Files.isReadable(file)) {
        throw new UsageException(file + " is not a readable file (expected: a PEM file)");
      }
    }
    try {
      return TlsMaterial.load(new TlsFiles(tlsCert, tlsKey, tlsCa));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  /** The proxy's module-traffic address ({@code --proxy}), for any destination. */
  public Endpoint proxy() {
    return proxy(null, null);
  }

  /**
   * The proxy's module-traffic address: {@code --proxy}; with {@code --kube} and no {@code --proxy}
   * on the command line, a port-forward to the proxy of a ready pod of the destination module when
   * it has one, else of any module.
   *
   * @param namespace the destination's logical namespace, or null for an external host
   * @param module the destination module, or null
   */
  public Endpoint proxy(String namespace, String module) {
    if (kube && !onCommandLine("--proxy")) {
      return kube().proxy(namespace, module).endpoint();
    }
    return proxy;
  }

  /** Whether {@code --kube} (or {@code WR_KUBE=1}) is on. */
  public boolean kubeEnabled() {
    return kube;
  }

  /**
   * This command's cluster session, opened on first use from the kubeconfig.
   *
   * @throws UsageException when there is no kubeconfig or context to use
   */
  public KubeSession kube() {
    if (kubeSession == null) {
      kubeSession = KubeSession.open(Kubeconfig.load(environment, kubeContext), kubeNamespace);
    }
    return kubeSession;
  }

  private void closeKube() {
    if (kubeSession != null) {
      kubeSession.close();
      kubeSession = null;
    }
  }

  /** Whether the user wrote {@code option} on the command line, before or after the command. */
  private boolean onCommandLine(String option) {
    for (CommandLine.ParseResult result = spec.commandLine().getParseResult();
        result != null;
        result = result.subcommand()) {
      if (result.hasMatchedOption(option)) {
        return true;
      }
    }
    return false;
  }

  /** The output format ({@code --output}). */
  public OutputFormat output() {
    return output;
  }

  /** Without a command there is nothing to do: show what there is and report a usage error. */
  @Override
  public Integer call() {
    return missingCommand(spec);
  }

  /**
   * What a command group does when called without a subcommand: says so, prints the group's usage
   * on stderr and returns {@link #EXIT_USAGE}.
   */
  public static int missingCommand(CommandSpec spec) {
    CommandLine cli = spec.commandLine();
    cli.getErr().println("wr-cli: missing command (expected: one of the commands below)");
    cli.usage(cli.getErr());
    return EXIT_USAGE;
  }

  /** Reads the version Maven wrote into {@code version.properties} at build time. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties properties = new Properties();
      try (InputStream in = WrCli.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          throw new IllegalStateException(
              "io/wruntime/cli/version.properties is missing from the classpath (expected: the"
                  + " wr-cli build output)");
        }
        properties.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {
        "wr-cli " + properties.getProperty("version"),
        "JVM: ${java.version} (${java.vendor} ${java.vm.name} ${java.vm.version})"
      };
    }
  }
}
