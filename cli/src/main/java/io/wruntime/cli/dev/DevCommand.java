package io.wruntime.cli.dev;

import io.wruntime.cli.WrCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code wr-cli dev}: a local stack (manager, proxy and engines) in one JVM. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = "Run a local stack: manager, proxy and engines in this JVM.",
    subcommands = {DevUpCommand.class, DevStatusCommand.class})
public final class DevCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return WrCli.missingCommand(spec);
  }
}
