package io.wruntime.proxy;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * A launcher of this repository ({@code bin/wr-manager}, {@code bin/wr-proxy}) run as a child
 * process. Its output goes to a file: reading a pipe races with the JDK closing it at process exit,
 * which can lose the last lines.
 */
final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private ChildProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code bin/<launcher> args...} from the repository root with {@code javaOpts}. */
  static ChildProcess start(String launcher, Path log, String javaOpts, String... args)
      throws IOException {
    Path root = Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
    String[] command = new String[args.length + 1];
    command[0] = root.resolve("bin").resolve(launcher).toString();
    System.arraycopy(args, 0, command, 1, args.length);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("JAVA_OPTS", javaOpts);
    builder.environment().remove("OTEL_EXPORTER_OTLP_ENDPOINT");
    return new ChildProcess(builder.start(), log);
  }

  /** The first output match of {@code pattern}, waiting up to 60 s. */
  Matcher await(Pattern pattern) {
    AtomicReference<Matcher> found = new AtomicReference<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              Matcher m = pattern.matcher(output());
              if (m.find()) {
                found.set(m);
                return true;
              }
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "the process exited without a line matching " + pattern + ":\n" + output());
              }
              return false;
            });
    return found.get();
  }

  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          "the process did not exit within " + timeout + ":\n" + output());
    }
    return process.exitValue();
  }

  /** SIGTERM. */
  void terminate() {
    process.destroy();
  }

  String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
