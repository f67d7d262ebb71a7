package io.wruntime.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ManagerMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = ManagerMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void helpDescribesTheConfigOption() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("wr-manager").contains("--config=FILE");
  }

  @Test
  void versionNamesTheBuild() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("wr-manager 0.");
  }

  @Test
  void aConfigErrorExitsWithTwoAndNamesFileKeyAndValue(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("manager.toml");
    Files.writeString(file, "engine_heartbeat_timeout_secs = -1\n");

    assertThat(run("--config", file.toString())).isEqualTo(ManagerMain.EXIT_USAGE);
    assertThat(err.toString())
        .isEqualTo(
            "wr-manager: "
                + file
                + ": engine_heartbeat_timeout_secs = -1 (expected: an integer from 1 to 86400)"
                + System.lineSeparator());
  }

  @Test
  void aMissingConfigFileExitsWithTwo(@TempDir Path dir) {
    assertThat(run("--config", dir.resolve("none.toml").toString()))
        .isEqualTo(ManagerMain.EXIT_USAGE);
    assertThat(err.toString()).contains("none.toml does not exist");
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    assertThat(run("--port", "9000")).isEqualTo(ManagerMain.EXIT_USAGE);
    assertThat(err.toString()).contains("Unknown options: '--port', '9000'");
  }
}
