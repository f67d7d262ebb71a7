package io.wruntime.cli.modules;

import io.wruntime.cli.WrCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code wr-cli modules}: the WasmModules of a cluster, as the manager routes them. */
@Command(
    name = "modules",
    mixinStandardHelpOptions = true,
    description = "WasmModules of the cluster (--kube) with their routes at the manager.",
    subcommands = ModulesListCommand.class)
public final class ModulesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return WrCli.missingCommand(spec);
  }
}
