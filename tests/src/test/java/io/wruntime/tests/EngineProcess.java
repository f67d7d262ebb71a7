package io.wruntime.tests;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code bin/wr-engine} child process, as a user starts it, with its output captured. The
 * port is read from the engine's "listening on" log line, so configs can use port 0.
 */
final class EngineProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("engine listening on [^:\\s]+:(\\d+)");

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final Thread reader;

  private EngineProcess(Process process) {
    this.process = process;
    reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                      synchronized (lines) {
                        lines.add(line);
                      }
                      Matcher m = LISTENING.matcher(line);
                      if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                      }
                    }
                  } catch (IOException e) {
                    // the process ended
                  } finally {
                    port.completeExceptionally(
                        new IllegalStateException("engine exited before listening:\n" + output()));
                  }
                });
    reader.setName("engine-output");
  }

  static Path root() {
    return Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
  }

  /** Starts {@code bin/wr-engine --config config} in the repo root with the given JVM options. */
  static EngineProcess start(Path config, String javaOpts) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
                root().resolve("bin/wr-engine").toString(), "--config", config.toString())
            .directory(root().toFile())
            .redirectErrorStream(true);
    pb.environment().put("JAVA_OPTS", javaOpts);
    return new EngineProcess(pb.start());
  }

  /** Writes a config file into {@code dir} and returns its path. */
  static Path writeConfig(Path dir, String toml) throws IOException {
    Path file = dir.resolve("engine.toml");
    Files.writeString(file, toml);
    return file;
  }

  int awaitPort() throws Exception {
    return port.get(60, TimeUnit.SECONDS);
  }

  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("engine did not exit within " + timeout + ":\n" + output());
    }
    reader.join(10_000); // the last lines may still be in the pipe when the process has exited
    return process.exitValue();
  }

  void terminate() {
    process.destroy(); // SIGTERM
  }

  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
