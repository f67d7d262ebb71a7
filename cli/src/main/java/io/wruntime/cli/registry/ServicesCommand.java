package io.wruntime.cli.registry;

import io.wruntime.cli.WrCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code wr-cli services}: services (namespace.module) with their versions and instances. */
@Command(
    name = "services",
    mixinStandardHelpOptions = true,
    description = "Services (NAMESPACE.MODULE) known to the manager.",
    subcommands = {ServicesListCommand.class, ServicesGetCommand.class})
public final class ServicesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return WrCli.missingCommand(spec);
  }
}
