package io.wruntime.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProxyMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = ProxyMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void helpDescribesTheCommand() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("Usage: wr-proxy").contains("--config=FILE");
  }

  @Test
  void withoutConfigItIsAUsageError() {
    assertThat(run()).isEqualTo(ProxyMain.EXIT_USAGE);
    assertThat(err.toString()).contains("Missing required option: '--config=FILE'");
  }

  @Test
  void aConfigErrorExitsWithTwoNamingTheFileAndKey(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("proxy.toml");
    Files.writeString(config, "listen_address = \"127.0.0.1:9001\"\n");

    assertThat(run("--config", config.toString())).isEqualTo(ProxyMain.EXIT_USAGE);
    assertThat(err.toString())
        .isEqualTo(
            "wr-proxy: "
                + config
                + ": manager_address is missing (expected: the manager's address, e.g."
                + " http://127.0.0.1:9000)"
                + System.lineSeparator());
  }

  @Test
  void aMissingFileIsAConfigError(@TempDir Path dir) {
    assertThat(run("--config", dir.resolve("none.toml").toString()))
        .isEqualTo(ProxyMain.EXIT_USAGE);
    assertThat(err.toString()).contains("none.toml does not exist");
  }
}
