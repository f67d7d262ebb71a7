package io.wruntime.cli.registry;

import io.wruntime.cli.WrCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code wr-cli engines}: the engines registered with the manager. */
@Command(
    name = "engines",
    mixinStandardHelpOptions = true,
    description = "Engines registered with the manager.",
    subcommands = {EnginesListCommand.class, EnginesGetCommand.class})
public final class EnginesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return WrCli.missingCommand(spec);
  }
}
