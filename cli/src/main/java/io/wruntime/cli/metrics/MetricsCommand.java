package io.wruntime.cli.metrics;

import io.wruntime.cli.WrCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code wr-cli metrics}: what the proxy measured. */
@Command(
    name = "metrics",
    mixinStandardHelpOptions = true,
    description = "Request metrics of a proxy, read from its admin /metrics endpoint.",
    subcommands = MetricsSummaryCommand.class)
public final class MetricsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return WrCli.missingCommand(spec);
  }
}
