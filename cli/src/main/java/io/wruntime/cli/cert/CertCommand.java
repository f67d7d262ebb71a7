package io.wruntime.cli.cert;

import io.wruntime.cli.WrCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code wr-cli cert}: the certificates of a deployment's mTLS. */
@Command(
    name = "cert",
    mixinStandardHelpOptions = true,
    description = "Make a CA and the certificates of managers, nodes and admins (mTLS).",
    subcommands = {CertInitCaCommand.class, CertGenerateCommand.class})
public final class CertCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return WrCli.missingCommand(spec);
  }
}
