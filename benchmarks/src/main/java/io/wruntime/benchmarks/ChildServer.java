package io.wruntime.benchmarks;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A launcher of this repository ({@code bin/wr-engine}, {@code bin/wr-proxy}, {@code
 * bin/wr-manager}) run as a child process from the repository root, as a user starts it: with the
 * launcher's JVM settings ({@code WR_JAVA_OPTS} of this process replaces them when set), without
 * this harness's own {@code JAVA_OPTS}. The launchers {@code exec} the JVM, so the child's pid is
 * the JVM's, and its {@code /proc/<pid>/status} is the server's memory.
 *
 * <p>Output (stdout and stderr) goes to a file: a pipe nobody reads would block the server.
 */
final class ChildServer implements AutoCloseable {
  /** {@code manager listening on 127.0.0.1:PORT}. */
  static final Pattern MANAGER_LISTENING =
      Pattern.compile("manager listening on 127\\.0\\.0\\.1:(\\d+)");

  /** {@code proxy listening on 127.0.0.1:PORT (peer ..., control 127.0.0.1:PORT)}. */
  static final Pattern PROXY_LISTENING =
      Pattern.compile(
          "proxy listening on 127\\.0\\.0\\.1:(\\d+) \\(peer 127\\.0\\.0\\.1:(\\d+), control"
              + " 127\\.0\\.0\\.1:(\\d+)\\)");

  /** {@code admin endpoints on 127.0.0.1:PORT}. */
  static final Pattern ADMIN_LISTENING =
      Pattern.compile("admin endpoints on 127\\.0\\.0\\.1:(\\d+)");

  /** {@code engine listening on 127.0.0.1:PORT}. */
  static final Pattern ENGINE_LISTENING =
      Pattern.compile("engine listening on 127\\.0\\.0\\.1:(\\d+)");

  private final String name;
  private final Process process;
  private final Path log;
  private final long spawnedNanos;

  private ChildServer(String name, Process process, Path log, long spawnedNanos) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.spawnedNanos = spawnedNanos;
  }

  /**
   * Writes {@code toml} to {@code dir/<name>.toml} and starts {@code bin/<launcher> --config} it,
   * output to {@code dir/<name>.log}.
   */
  static ChildServer start(Path root, Path dir, String launcher, String name, String toml)
      throws IOException {
    return start(root, dir, launcher, name, toml, Map.of());
  }

  /** As {@link #start(Path, Path, String, String, String)}, with more environment variables. */
  static ChildServer start(
      Path root, Path dir, String launcher, String name, String toml, Map<String, String> env)
      throws IOException {
    requireNonNull(toml, "toml");
    Path config = dir.resolve(name + ".toml");
    Files.writeString(config, toml);
    Path log = dir.resolve(name + ".log");
    List<String> command = new ArrayList<>();
    command.add(root.resolve("bin").resolve(launcher).toString());
    command.add("--config");
    command.add(config.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    // wr-benchmark's JAVA_OPTS configure this harness's JVM, not the servers it starts.
    builder.environment().remove("JAVA_OPTS");
    builder.environment().keySet().removeIf(key -> key.startsWith("OTEL_"));
    builder.environment().putAll(env);
    long spawned = System.nanoTime();
    return new ChildServer(name, builder.start(), log, spawned);
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  /** {@link System#nanoTime} just before the process was spawned. */
  long spawnedNanos() {
    return spawnedNanos;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * The first match of {@code pattern} in the output, polling the log every 2 ms.
   *
   * @throws IllegalStateException when the process exits first or {@code timeout} passes
   */
  MatchResult await(Pattern pattern, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean alive = process.isAlive(); // before reading: the last lines count
      Matcher m = pattern.matcher(output());
      if (m.find()) {
        return m.toMatchResult();
      }
      if (!alive) {
        throw new IllegalStateException(
            name + " exited with code " + process.exitValue() + ":\n" + tail());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + " printed no line matching " + pattern + " within " + timeout + ":\n" + tail());
      }
      Thread.sleep(2);
    }
  }

  /** The process's resident set ({@code VmRSS}) and its peak ({@code VmHWM}), in bytes. */
  Memory memory() {
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    try {
      long rss = -1;
      long peak = -1;
      for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) {
          rss = kilobytes(line);
        } else if (line.startsWith("VmHWM:")) {
          peak = kilobytes(line);
        }
      }
      if (rss < 0 || peak < 0) {
        throw new IllegalStateException(status + " has no VmRSS/VmHWM (expected: Linux /proc)");
      }
      return new Memory(rss * 1024, peak * 1024);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + status + " of " + name, e);
    }
  }

  /** Resident memory now and at its peak, in bytes. */
  record Memory(long rss, long peak) {}

  private static long kilobytes(String line) {
    // "VmRSS:\t  123456 kB"
    String value = line.substring(line.indexOf(':') + 1).trim();
    return Long.parseLong(value.substring(0, value.indexOf(' ')));
  }

  String output() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String tail() {
    String out = output();
    return out.length() > 4000 ? "..." + out.substring(out.length() - 4000) : out;
  }

  /** SIGTERM, then SIGKILL after 20 s; waits for the exit. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
