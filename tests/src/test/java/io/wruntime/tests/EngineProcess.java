package io.wruntime.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A real {@code bin/wr-engine} child process, as a user starts it, with its output captured in a
 * file (see {@link ServerProcess}). The port is read from the engine's "listening on" log line, so
 * configs can use port 0.
 */
final class EngineProcess implements AutoCloseable {
  static final Pattern LISTENING = Pattern.compile("engine listening on [^:\\s]+:(\\d+)");

  private final ServerProcess process;

  private EngineProcess(ServerProcess process) {
    this.process = process;
  }

  static Path root() {
    return ServerProcess.root();
  }

  /** Starts {@code bin/wr-engine --config config} in the repo root with the given JVM options. */
  static EngineProcess start(Path config, String javaOpts) throws IOException {
    Path log =
        Files.createTempFile(ServerProcess.logDirectory("engine-process"), "engine-", ".log");
    return new EngineProcess(
        ServerProcess.start(
            "wr-engine",
            log,
            Map.of("JAVA_OPTS", javaOpts),
            List.of("--config", config.toString())));
  }

  /** Writes a config file into {@code dir} and returns its path. */
  static Path writeConfig(Path dir, String toml) throws IOException {
    Path file = dir.resolve("engine.toml");
    Files.writeString(file, toml);
    return file;
  }

  int awaitPort() {
    return Integer.parseInt(process.await(LISTENING).group(1));
  }

  int awaitExit(Duration timeout) throws InterruptedException {
    return process.awaitExit(timeout);
  }

  void terminate() {
    process.sigterm();
  }

  String output() {
    return process.output();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
