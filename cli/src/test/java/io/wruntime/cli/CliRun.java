package io.wruntime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import picocli.CommandLine;

/**
 * One run of {@code wr-cli} in the test's JVM with captured stdout and stderr.
 *
 * @param exitCode what the process would exit with
 * @param out everything printed on stdout
 * @param err everything printed on stderr
 */
public record CliRun(int exitCode, String out, String err) {
  /** Runs with no environment variables set. */
  public static CliRun run(String... args) {
    return run(Map.of(), args);
  }

  /** Runs with {@code environment} as the process environment. */
  public static CliRun run(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = WrCli.commandLine(environment);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exitCode = cli.execute(args);
    return new CliRun(exitCode, out.toString(), err.toString());
  }

  /** {@code http://127.0.0.1:PORT} of a port nothing listens on (it was free a moment ago). */
  public static String unusedAddress() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
