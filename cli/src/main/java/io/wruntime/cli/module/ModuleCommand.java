package io.wruntime.cli.module;

import io.wruntime.cli.WrCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code wr-cli module}: modules as OCI artifacts in a registry. */
@Command(
    name = "module",
    mixinStandardHelpOptions = true,
    description = "Push and pull modules as OCI artifacts.",
    subcommands = {ModulePushCommand.class, ModulePullCommand.class})
public final class ModuleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return WrCli.missingCommand(spec);
  }
}
