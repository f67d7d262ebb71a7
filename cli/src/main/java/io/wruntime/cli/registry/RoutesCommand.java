package io.wruntime.cli.registry;

import io.wruntime.cli.WrCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code wr-cli routes}: the manager's routing table. */
@Command(
    name = "routes",
    mixinStandardHelpOptions = true,
    description = "The routing table proxies receive from the manager.",
    subcommands = RoutesListCommand.class)
public final class RoutesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return WrCli.missingCommand(spec);
  }
}
