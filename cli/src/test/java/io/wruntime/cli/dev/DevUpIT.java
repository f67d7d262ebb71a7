package io.wruntime.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wruntime.cli.CliRun;
import io.wruntime.cli.WrCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code wr-cli dev up} in the test's JVM on free ports, with the example modules: it serves the
 * quick start's calls through its proxy, stops when interrupted and leaves no port bound.
 */
class DevUpIT {
  private static final Path ROOT = Path.of(System.getProperty("wr.root", "..")).toAbsolutePath();
  private static final Pattern ENGINE_PORT = Pattern.compile(" on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;

  private final List<Thread> running = new ArrayList<>();

  @AfterEach
  void stopWhatIsLeft() throws InterruptedException {
    for (Thread thread : running) {
      thread.interrupt();
      thread.join(Duration.ofSeconds(30));
    }
  }

  /** {@code dev up} running on its own thread, its output captured. */
  private final class Up {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final AtomicInteger exitCode = new AtomicInteger(-1);
    final Thread thread;

    Up(String... args) {
      CommandLine cli = WrCli.commandLine(Map.of());
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      String[] all = new String[args.length + 2];
      all[0] = "dev";
      all[1] = "up";
      System.arraycopy(args, 0, all, 2, args.length);
      thread = Thread.ofPlatform().name("dev-up").start(() -> exitCode.set(cli.execute(all)));
      running.add(thread);
    }

    void awaitReady() {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> out.toString().contains("dev: ready") || !thread.isAlive());
      assertThat(out.toString()).as(err.toString()).contains("dev: ready");
    }

    /** Stops it as a test can (an interrupt, where a user sends SIGINT) and returns the code. */
    int stop() throws InterruptedException {
      thread.interrupt();
      thread.join(Duration.ofSeconds(30));
      assertThat(thread.isAlive()).as("dev up still running 30 s after the interrupt").isFalse();
      return exitCode.get();
    }

    /** Waits for a run that ends by itself. */
    int exit() throws InterruptedException {
      thread.join(Duration.ofSeconds(60));
      assertThat(thread.isAlive()).as("dev up still running").isFalse();
      return exitCode.get();
    }
  }

  private Path engineConfig(String name, String listen, String... modules) throws IOException {
    StringBuilder text =
        new StringBuilder("listen_address = \"" + listen + "\"\n")
            // Overridden by dev up: nothing listens here.
            .append("manager_address = \"http://127.0.0.1:1\"\n")
            .append("[node]\nproxy_address = \"http://127.0.0.1:1\"\n");
    for (String module : modules) {
      text.append("[[module]]\n")
          .append("name = \"")
          .append(module)
          .append("\"\nnamespace = \"example\"\nversion = \"1.0.0\"\n")
          .append("wasm_path = \"")
          .append(toml(ROOT.resolve("examples/" + module + "/" + module + ".wasm")))
          .append("\"\nschema_path = \"")
          .append(toml(ROOT.resolve("examples/schemas/" + module + ".binpb")))
          .append("\"\n");
    }
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private static String toml(Path path) {
    return path.toString().replace("\\", "\\\\");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean canBind(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void servesTheQuickStartThroughItsProxyAndReleasesEveryPortWhenStopped() throws Exception {
    int manager = freePort();
    int proxy = freePort();
    int control = freePort();
    int peer = freePort();
    Path config = engineConfig("quickstart.toml", "127.0.0.1:0", "echo", "caller");

    Up up =
        new Up(
            "--manager-port",
            "" + manager,
            "--proxy-port",
            "" + proxy,
            "--control-port",
            "" + control,
            "--peer-port",
            "" + peer,
            config.toString());
    up.awaitReady();

    String summary = up.out.toString().lines().findFirst().orElseThrow();
    assertThat(summary)
        .matches(
            "dev: manager 127\\.0\\.0\\.1:"
                + manager
                + ", proxy 127\\.0\\.0\\.1:"
                + proxy
                + ", engines: example\\.echo@1\\.0\\.0, example\\.caller@1\\.0\\.0 on"
                + " 127\\.0\\.0\\.1:\\d+");
    Matcher engine = ENGINE_PORT.matcher(summary);
    assertThat(engine.find()).isTrue();
    int enginePort = Integer.parseInt(engine.group(1));

    Map<String, String> env =
        Map.of(
            "WR_MANAGER", "http://127.0.0.1:" + manager, "WR_PROXY", "http://127.0.0.1:" + proxy);
    CliRun caller = CliRun.run(env, "invoke", "--destination", "http://example.caller/run");
    assertThat(caller.err()).isEmpty();
    assertThat(caller.exitCode()).isZero();
    assertThat(caller.out()).isEqualTo("hello\n");

    CliRun echo =
        CliRun.run(
            env,
            "invoke",
            "--destination",
            "http://example.echo/echo.EchoService/Echo",
            "--body",
            "{\"message\":\"hello\"}");
    assertThat(echo.exitCode()).as(echo.err()).isZero();
    assertThat(echo.out()).contains("\"message\": \"hello\"");

    CliRun status = CliRun.run(env, "dev", "status");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out())
        .containsPattern("example\\.caller +1\\.0\\.0 +yes .* dev .* yes")
        .containsPattern("example\\.echo +1\\.0\\.0 +yes .* dev .* yes");

    assertThat(up.stop()).isZero();
    assertThat(up.out.toString()).contains("dev: stopping", "dev: stopped");
    for (int port : List.of(manager, proxy, control, peer, enginePort)) {
      assertThat(canBind(port)).as("port %d is free again", port).isTrue();
    }
  }

  @Test
  void aPortInUseIsNamedAndExitsOne() throws Exception {
    Path config = engineConfig("engine.toml", "127.0.0.1:0", "echo");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Up up =
          new Up(
              "--manager-port",
              "" + port,
              "--proxy-port",
              "0",
              "--control-port",
              "0",
              "--peer-port",
              "0",
              config.toString());

      assertThat(up.exit()).isEqualTo(1);
      assertThat(up.err.toString())
          .isEqualTo(
              "wr-cli: the manager cannot listen on 127.0.0.1:"
                  + port
                  + ": Address already in use (expected: a free port; choose another with"
                  + " --manager-port)"
                  + System.lineSeparator());
    }
  }

  @Test
  void anEnginePortInUseStopsWhatStartedAndNamesTheConfig() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Path config = engineConfig("engine.toml", "127.0.0.1:" + port, "echo");
      int manager = freePort();
      Up up =
          new Up(
              "--manager-port",
              "" + manager,
              "--proxy-port",
              "0",
              "--control-port",
              "0",
              "--peer-port",
              "0",
              config.toString());

      assertThat(up.exit()).isEqualTo(1);
      assertThat(up.err.toString())
          .startsWith("wr-cli: the engine of " + config + " cannot listen on 127.0.0.1:" + port)
          .contains("change listen_address in " + config);
      // A stopped server's socket may take a moment to be released under load.
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> assertThat(canBind(manager)).as("the manager's port is free again").isTrue());
    }
  }

  @Test
  void modulesNotHealthyInTimeAreNamedAndEverythingStops() throws Exception {
    int manager = freePort();
    int proxy = freePort();
    Path config = engineConfig("engine.toml", "127.0.0.1:0", "echo");
    Up up =
        new Up(
            "--manager-port",
            "" + manager,
            "--proxy-port",
            "" + proxy,
            "--control-port",
            "0",
            "--peer-port",
            "0",
            "--ready-timeout",
            "1ms",
            config.toString());

    assertThat(up.exit()).isEqualTo(1);
    assertThat(up.err.toString())
        .startsWith("wr-cli: the stack was not ready within 1ms: example.echo@1.0.0 (engine ")
        .containsPattern(
            Pattern.quote(", " + config + "): ")
                + "(not registered yet|registered, not healthy yet)");
    assertThat(up.out.toString()).doesNotContain("dev: ready");
    // A stopped server's socket may take a moment to be released under load.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(canBind(manager)).as("the manager's port is free again").isTrue());
    // A stopped server's socket may take a moment to be released under load.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(canBind(proxy)).as("the proxy's port is free again").isTrue());
  }

  @Test
  void statusWithoutAStackSaysWhatWasExpected() {
    String manager = CliRun.unusedAddress();

    CliRun run = CliRun.run(Map.of("WR_MANAGER", manager), "dev", "status");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("wr-cli: cannot reach the manager at " + manager + ": ")
        .contains("(expected: a running wr-cli dev up, or --manager with its --manager-port)");
  }

  @Test
  void aConfigurationErrorIsOneLineAndExitsTwo() throws Exception {
    Path config = dir.resolve("bad.toml");
    Files.writeString(
        config,
        """
        [[module]]
        name = "echo"
        namespace = "example"
        version = "1.0"
        wasm_path = "echo.wasm"
        """);

    CliRun run = CliRun.run("dev", "up", config.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("wr-cli: " + config + ": module[0].version = ")
        .contains("expected: MAJOR.MINOR.PATCH");
  }

  @Test
  void aModuleThatDoesNotLoadIsNamedAndExitsOne() throws Exception {
    Path config = dir.resolve("missing.toml");
    Files.writeString(
        config,
        """
        listen_address = "127.0.0.1:0"
        [[module]]
        name = "echo"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        """
            .formatted(toml(dir.resolve("nowhere.wasm"))));

    Up up =
        new Up(
            "--manager-port",
            "0",
            "--proxy-port",
            "0",
            "--control-port",
            "0",
            "--peer-port",
            "0",
            config.toString());

    assertThat(up.exit()).isEqualTo(1);
    assertThat(up.err.toString())
        .startsWith(
            "wr-cli: "
                + config
                + ": a module failed to load: example.echo@1.0.0: wasm_path "
                + dir.resolve("nowhere.wasm")
                + " does not exist");
  }
}
