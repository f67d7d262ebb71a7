package io.wruntime.cli.dev;

import io.wruntime.cli.CliException;
import io.wruntime.cli.registry.RoutesListCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code wr-cli dev status}: the routing table of the manager at {@code --manager} (the one {@code
 * dev up} started, by default), printed as {@code routes list} prints it.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Show the routing table of the local stack's manager (--manager, default"
            + " http://127.0.0.1:9000): every module, its engine and whether it is healthy.")
public final class DevStatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    try {
      return RoutesListCommand.print(spec, DevStack.NODE);
    } catch (CliException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("cannot reach the manager")) {
        throw new CliException(
            e.getMessage()
                + " (expected: a running wr-cli dev up, or --manager with its --manager-port)",
            e);
      }
      throw e;
    }
  }
}
