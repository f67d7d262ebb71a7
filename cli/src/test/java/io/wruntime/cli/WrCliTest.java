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
        .containsPattern("help +Display help information about the specified command.");
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

  @Test
  void helpListsTheCommands() {
    assertThat(run("--help")).isZero();

    assertThat(out.toString())
        .contains("invoke")
        .contains("engines")
        .contains("services")
        .contains("routes")
        .contains("metrics")
        .contains("--manager=URL")
        .contains("--output=FORMAT");
  }

  @Test
  void groupWithoutSubcommandIsAUsageErrorThatShowsItsCommands() {
    assertThat(run("engines")).isEqualTo(WrCli.EXIT_USAGE);

    assertThat(err.toString())
        .startsWith("wr-cli: missing command")
        .contains("Usage: wr-cli engines")
        .contains("list")
        .contains("get");
  }

  @Test
  void malformedManagerAddressIsAUsageErrorSayingWhatWasExpected() {
    assertThat(run("engines", "list", "--manager", "ftp://m:9000")).isEqualTo(WrCli.EXIT_USAGE);

    assertThat(err.toString())
        .contains("--manager")
        .contains(
            "\"ftp://m:9000\" has scheme ftp (expected: http://HOST:PORT, https://HOST:PORT or HOST:PORT)");
  }

  @Test
  void unknownOutputFormatIsAUsageError() {
    assertThat(run("engines", "list", "--output", "yaml")).isEqualTo(WrCli.EXIT_USAGE);

    assertThat(err.toString()).contains("--output").contains("yaml");
  }
}
