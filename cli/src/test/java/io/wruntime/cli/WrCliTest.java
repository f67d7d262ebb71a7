package io.wruntime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class WrCliTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = WrCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void helpPrintsUsageAndSucceeds() {
    assertThat(run("--help")).isZero();

    assertThat(out.toString())
        .startsWith("Usage: wr-cli")
        .contains("-V, --version")
        .contains("help  Display help information about the specified command.");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void helpCommandPrintsTheSameUsage() {
    assertThat(run("help")).isZero();

    assertThat(out.toString()).startsWith("Usage: wr-cli");
  }

  @Test
  void versionPrintsTheBuiltVersion() {
    assertThat(run("--version")).isZero();

    assertThat(out.toString()).startsWith("wr-cli 0.").doesNotContain("${project.version}");
  }

  @Test
  void unknownOptionIsAUsageErrorNamingTheOption() {
    assertThat(run("--frobnicate")).isEqualTo(WrCli.EXIT_USAGE);

    assertThat(err.toString()).contains("Unknown option: '--frobnicate'").contains("Usage: wr-cli");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void unknownCommandIsAUsageError() {
    assertThat(run("deploy")).isEqualTo(WrCli.EXIT_USAGE);

    assertThat(err.toString()).contains("'deploy'");
  }

  @Test
  void noCommandIsAUsageErrorThatShowsTheCommands() {
    assertThat(run()).isEqualTo(WrCli.EXIT_USAGE);

    assertThat(err.toString())
        .startsWith("wr-cli: missing command")
        .contains("Commands:")
        .contains("help");
    assertThat(out.toString()).isEmpty();
  }
}
