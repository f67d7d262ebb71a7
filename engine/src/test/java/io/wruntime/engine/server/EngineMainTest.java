package io.wruntime.engine.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.engine.EngineMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EngineMainTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return new CommandLine(new EngineMain())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  @Test
  void configErrorExitsWith2AndOneLine() throws Exception {
    Path config = dir.resolve("engine.toml");
    Files.writeString(
        config,
        """
        [[module]]
        name = "echo"
        namespace = "example"
        version = "1.0"
        wasm_path = "echo.wasm"
        """);

    int code = run("--config", config.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "wr-engine: "
                + config
                + ": module[0].version = \"1.0\" is not a semantic version (expected:"
                + " MAJOR.MINOR.PATCH, e.g. 1.0.0)"
                + System.lineSeparator());
  }

  @Test
  void missingConfigFileExitsWith2() {
    int code = run("--config", dir.resolve("nope.toml").toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().strip())
        .isEqualTo("wr-engine: config file " + dir.resolve("nope.toml") + " does not exist");
  }

  @Test
  void usageErrorsExitWith2() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--config=FILE'");
  }

  @Test
  void helpListsTheOptions() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("--config=FILE").contains("--shutdown-grace-secs");
  }

  @Test
  void anAddressInUseExitsWith1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config = dir.resolve("engine.toml");
      Files.writeString(config, "listen_address = \"127.0.0.1:" + taken.getLocalPort() + "\"\n");

      int code = run("--config", config.toString());

      assertThat(code).isEqualTo(1);
      assertThat(err.toString())
          .startsWith(
              "wr-engine: cannot listen on 127.0.0.1:"
                  + taken.getLocalPort()
                  + " (listen_address): ");
    }
  }
}
