package io.wruntime.tests;

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
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A launcher of this repository ({@code bin/wr-engine}, {@code bin/wr-proxy}, {@code
 * bin/wr-manager}, {@code bin/wr-cli}) run as a child process from the repository root, the way a
 * user starts it.
 *
 * <p>Its output goes to a file under {@code tests/target/it-processes/} rather than through a pipe:
 * a thread reading the pipe races with the JDK closing it when the process exits, which can lose
 * the last lines, and the files stay behind for reading after a failed run.
 */
final class ServerProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final String name;
  private final Process process;
  private final Path log;
  private final Path errorLog;
  private volatile boolean killed;

  private ServerProcess(String name, Process process, Path log, Path errorLog) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.errorLog = errorLog;
  }

  /** The repository root (system property {@code wr.root}, set by the build). */
  static Path root() {
    return Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
  }

  /** A directory for the output of one group of processes (a test class), created if needed. */
  static Path logDirectory(String group) {
    Path dir = root().resolve("tests/target/it-processes").resolve(group);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code bin/<launcher> args...} with stdout and stderr together in {@code log}.
   *
   * @param env variables set for the process on top of this one's environment (e.g. {@code
   *     JAVA_OPTS}); the {@code OTEL_*} variables of this process are not passed on
   */
  static ServerProcess start(String launcher, Path log, Map<String, String> env, List<String> args)
      throws IOException {
    return start(launcher, log, null, env, args);
  }

  /**
   * Starts {@code bin/<launcher> args...} with stdout in {@code log} and stderr in {@code
   * errorLog}, or both in {@code log} when {@code errorLog} is null.
   */
  static ServerProcess start(
      String launcher, Path log, Path errorLog, Map<String, String> env, List<String> args)
      throws IOException {
    requireNonNull(launcher, "launcher");
    requireNonNull(log, "log");
    requireNonNull(env, "env");
    requireNonNull(args, "args");
    List<String> command = new ArrayList<>();
    command.add(root().resolve("bin").resolve(launcher).toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(root().toFile()).redirectOutput(log.toFile());
    if (errorLog == null) {
      builder.redirectErrorStream(true);
    } else {
      builder.redirectError(errorLog.toFile());
    }
    builder.environment().keySet().removeIf(key -> key.startsWith("OTEL_"));
    builder.environment().putAll(env);
    String name = log.getFileName().toString().replaceFirst("\\.log$", "");
    return new ServerProcess(name, builder.start(), log, errorLog);
  }

  /** The name the process was started under (its log file's name). */
  String name() {
    return name;
  }

  /** The first match of {@code pattern} in the output, waiting for it up to 90 s. */
  MatchResult await(Pattern pattern) {
    return await(pattern, START_TIMEOUT);
  }

  /**
   * The first match of {@code pattern} in the output, waiting for it up to {@code timeout}.
   *
   * @throws IllegalStateException when the process exits without printing it, or the time runs out
   */
  MatchResult await(Pattern pattern, Duration timeout) {
    AtomicReference<MatchResult> found = new AtomicReference<>();
    try {
      Awaitility.await(name + " prints a line matching " + pattern)
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                boolean alive = process.isAlive(); // before reading: the last lines count
                Matcher m = pattern.matcher(output());
                if (m.find()) {
                  found.set(m.toMatchResult());
                  return true;
                }
                if (!alive) {
                  throw new IllegalStateException(
                      name
                          + " exited with code "
                          + process.exitValue()
                          + " without printing a line matching "
                          + pattern
                          + ":\n"
                          + output());
                }
                return false;
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          name + " printed no line matching " + pattern + " within " + timeout + ":\n" + output(),
          e);
    }
    return found.get();
  }

  /** Waits for the process to exit and returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(name + " did not exit within " + timeout + ":\n" + output());
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Asks the process to stop (SIGTERM). */
  void sigterm() {
    process.destroy();
  }

  /** Kills the process at once (SIGKILL), as a crash or an OOM killer would. */
  void sigkill() {
    killed = true;
    process.destroyForcibly();
  }

  /** Whether {@link #sigkill} was called. */
  boolean wasKilled() {
    return killed;
  }

  /** Everything the process printed so far (stdout, and stderr when it was not kept apart). */
  String output() {
    return read(log);
  }

  /** What the process printed on stderr when it was kept apart, else "". */
  String errorOutput() {
    return errorLog == null ? "" : read(errorLog);
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stops the process if it still runs: SIGTERM, then SIGKILL after 20 s.
   *
   * @return its exit code
   */
  int stop() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    process.waitFor(10, TimeUnit.SECONDS);
    return process.isAlive() ? -1 : process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", output in " + log + ")";
  }
}
