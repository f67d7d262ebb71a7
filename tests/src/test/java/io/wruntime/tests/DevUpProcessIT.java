package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/wr-cli dev up} as a user runs it: a child JVM whose stdout carries only its {@code
 * dev:} lines, which serves the example modules to {@code bin/wr-cli invoke} and stops in order on
 * SIGTERM with exit code 0.
 */
class DevUpProcessIT {
  private static final Pattern SUMMARY =
      Pattern.compile(
          "dev: manager 127\\.0\\.0\\.1:(\\d+), proxy 127\\.0\\.0\\.1:(\\d+), engines:"
              + " example\\.echo@1\\.0\\.0, example\\.caller@1\\.0\\.0 on 127\\.0\\.0\\.1:\\d+");

  @TempDir Path dir;
  private Process dev;

  @AfterEach
  void stop() throws InterruptedException {
    if (dev != null && dev.isAlive()) {
      dev.destroy();
      if (!dev.waitFor(30, TimeUnit.SECONDS)) {
        dev.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private Process start(Path out, Path err, String... args) throws IOException {
    return new ProcessBuilder(args)
        .directory(EngineProcess.root().toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void servesTheExamplesPrintsOnlyItsOwnLinesAndStopsOnSigterm() throws Exception {
    Path root = EngineProcess.root();
    Path config =
        EngineProcess.writeConfig(
            dir,
            """
            listen_address = "127.0.0.1:0"

            [[module]]
            name = "echo"
            namespace = "example"
            version = "1.0.0"
            wasm_path = "%s"
            schema_path = "%s"

            [[module]]
            name = "caller"
            namespace = "example"
            version = "1.0.0"
            wasm_path = "%s"
            schema_path = "%s"
            """
                .formatted(
                    root.resolve("examples/echo/echo.wasm"),
                    root.resolve("examples/schemas/echo.binpb"),
                    root.resolve("examples/caller/caller.wasm"),
                    root.resolve("examples/schemas/caller.binpb")));
    Path out = dir.resolve("dev.out");
    Path err = dir.resolve("dev.err");
    String cli = root.resolve("bin/wr-cli").toString();
    dev =
        start(
            out,
            err,
            cli,
            "dev",
            "up",
            "--manager-port=0",
            "--proxy-port=0",
            "--control-port=0",
            "--peer-port=0",
            config.toString());

    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> read(out).contains("dev: ready\n") || !dev.isAlive());
    List<String> lines = read(out).lines().toList();
    assertThat(lines).as(read(err)).hasSize(2);
    Matcher summary = SUMMARY.matcher(lines.get(0));
    assertThat(summary.matches()).as(lines.get(0)).isTrue();
    assertThat(lines.get(1)).isEqualTo("dev: ready");
    assertThat(read(err)).contains("manager listening on 127.0.0.1:" + summary.group(1));

    Path callOut = dir.resolve("invoke.out");
    Path callErr = dir.resolve("invoke.err");
    Process invoke =
        start(
            callOut,
            callErr,
            cli,
            "--manager",
            "http://127.0.0.1:" + summary.group(1),
            "--proxy",
            "http://127.0.0.1:" + summary.group(2),
            "invoke",
            "--destination",
            "http://example.caller/run");
    assertThat(invoke.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(read(callErr)).isEmpty();
    assertThat(invoke.exitValue()).isZero();
    assertThat(read(callOut)).isEqualTo("hello\n");

    dev.destroy(); // SIGTERM
    assertThat(dev.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(dev.exitValue()).as(read(err)).isZero();
    assertThat(read(out).lines().toList())
        .containsExactly(lines.get(0), "dev: ready", "dev: stopping", "dev: stopped");
    assertThat(read(err)).contains("deregistered engine");
  }
}
