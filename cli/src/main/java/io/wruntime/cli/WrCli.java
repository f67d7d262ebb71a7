package io.wruntime.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code wr-cli} entry point. Exit codes: 0 success, 1 failure, 2 usage error.
 *
 * <p>Commands print only through {@code spec.commandLine().getOut()} and {@code getErr()}, so a
 * test that runs {@link #commandLine()} with its own writers sees everything a user would.
 */
@Command(
    name = "wr-cli",
    mixinStandardHelpOptions = true,
    versionProvider = WrCli.Version.class,
    description = "Command-line client of the wruntime WebAssembly runtime.",
    subcommands = HelpCommand.class)
public final class WrCli implements Callable<Integer> {
  /** Exit code of a command that ran and failed. */
  public static final int EXIT_FAILURE = 1;

  /** Exit code of a command line that could not be understood. */
  public static final int EXIT_USAGE = 2;

  @Spec CommandSpec spec;

  /** Runs the CLI and exits the JVM with the command's exit code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** A fresh, fully configured command line; callers may replace its out and err writers. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new WrCli());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("wr-cli: " + e.getMessage());
          return EXIT_FAILURE;
        });
    return cli;
  }

  /** Without a command there is nothing to do: show what there is and report a usage error. */
  @Override
  public Integer call() {
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
