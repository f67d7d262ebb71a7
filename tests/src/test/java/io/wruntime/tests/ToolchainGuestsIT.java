package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wruntime.tests.LocalCluster.Engine;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wasi:http component guests built from source with real toolchains by {@code
 * bin/build-component-guests} (componentize-js, wit-bindgen c, Rust, Go, componentize-py; into
 * {@code tests/target/component-guests}), each served by one engine process and reached both
 * directly (the engine's listener, {@code x-wr-*} headers) and through a real proxy ({@code
 * x-wr-destination}): the echo answers byte-exact bodies (small, and 64 MiB streamed in both
 * directions at once), {@code /call} reaches examples/echo through the proxy, {@code /throw} gives
 * a 500 with the guest's message in the engine's log, and a client closing early is not logged as a
 * failure.
 *
 * <p>A guest whose toolchain could not work on this machine has {@code NAME.skipped} instead of
 * {@code NAME.wasm}: its tests are skipped with that reason. The engine compiles through the code
 * cache under {@code ~/.cache/wruntime/code}, so only the first run compiles the 13 MB JavaScript
 * guest (30-100 s, about 2 GB of heap).
 */
class ToolchainGuestsIT {
  /** The guests run here. */
  private static final List<String> GUESTS = List.of("js", "c", "rust", "go", "python");

  private static final long BIG_BODY = 64L * 1024 * 1024;

  private static final LocalCluster cluster = new LocalCluster("ToolchainGuestsIT");
  private static final Module ECHO = Module.echo("1.0.0");
  private static final Map<String, Module> modules = new LinkedHashMap<>();
  private static Proxy proxy;
  private static Engine engine;

  /** Each guest reached directly and through the proxy. */
  static List<Arguments> routes() {
    List<Arguments> all = new ArrayList<>();
    for (String guest : GUESTS) {
      all.add(Arguments.of(guest, "engine"));
      all.add(Arguments.of(guest, "proxy"));
    }
    return all;
  }

  private static Path guestDir() {
    return ServerProcess.root().resolve("tests/target/component-guests");
  }

  private static Module guestModule(String guest, Path wasm) {
    // Every module of an engine with [node] registers a schema; the guests speak plain HTTP, so
    // echo's stands in.
    return new Module(
        "guest-" + guest,
        "1.0.0",
        wasm,
        ServerProcess.root().resolve("examples/schemas/echo.binpb"),
        // The JavaScript guest starts with 161 pages (10.06 MiB) and grows; 64 MiB of body
        // streams through every guest within the timeout. The Python guest's memory grows by
        // about the body's size while it streams one (docs/components.md): 64 MiB would not do.
        "max_memory_size = "
            + (guest.equals("python") ? 128L << 20 : 64L << 20)
            + "\nrequest_timeout_secs = 120\n");
  }

  @BeforeAll
  static void startCluster() throws Exception {
    List<Module> all = new ArrayList<>();
    all.add(ECHO);
    for (String guest : GUESTS) {
      Path wasm = guestDir().resolve(guest + ".wasm");
      if (Files.isRegularFile(wasm)) {
        Module module = guestModule(guest, wasm);
        modules.put(guest, module);
        all.add(module);
      }
    }
    // A heartbeat late by more than the usual 2 s while the engine compiles the guests or streams
    // 64 MiB on two cores would mark its routes unhealthy and fail a case with a 503.
    cluster.startManager(Duration.ofSeconds(15));
    proxy = cluster.startProxy("node-a");
    // The first compile of the JavaScript guest takes 30-100 s and about 2 GB of heap; later runs
    // load its code from the engine's code cache (code_cache_dir, by default
    // ~/.cache/wruntime/code).
    ServerProcess process =
        cluster.launchEngine("engine-a", proxy, "-Xmx3g", all.toArray(Module[]::new));
    engine =
        new Engine(
            process,
            "engine-a",
            Integer.parseInt(
                process.await(LocalCluster.ENGINE_LISTENING, Duration.ofMinutes(4)).group(1)));
    java.util.regex.Matcher listening =
        Pattern.compile("engine listening on \\S+ with modules \\[([^\\]]*)\\]")
            .matcher(process.output());
    assertThat(listening.find()).as(process.output()).isTrue();
    List<String> loaded = List.of(listening.group(1).split(", "));
    List<Module> serving = all.stream().filter(m -> loaded.contains(m.label())).toList();
    cluster.awaitHealthy(List.of(engine), serving, proxy);
  }

  /** Why {@code module} failed to load, from the engine's log line. */
  private static String loadFailure(Module module) {
    java.util.regex.Matcher failed =
        Pattern.compile("module " + Pattern.quote(module.label()) + " failed to load: (.*)")
            .matcher(engine.process().output());
    return failed.find() ? failed.group(1) : null;
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  private static Module module(String guest) {
    Module module = modules.get(guest);
    Path skipped = guestDir().resolve(guest + ".skipped");
    String reason;
    try {
      reason =
          Files.isRegularFile(skipped)
              ? Files.readString(skipped).strip()
              : "not built: " + guestDir().resolve(guest + ".wasm") + " is missing";
    } catch (IOException e) {
      reason = e.toString();
    }
    if (module == null) {
      System.out.println("ToolchainGuestsIT: guest " + guest + " skipped: " + reason);
    }
    assumeTrue(module != null, "guest " + guest + ": " + reason);
    String failure = loadFailure(module);
    if (failure != null) {
      System.out.println("ToolchainGuestsIT: guest " + guest + " skipped: " + failure);
    }
    assumeTrue(failure == null, "guest " + guest + " failed to load: " + failure);
    return module;
  }

  /** The head of a request for {@code path} of {@code module}, directly or through the proxy. */
  private static String head(Module module, String route, String method, String path) {
    String common = method + " " + path + " HTTP/1.1\r\nhost: 127.0.0.1\r\n";
    if (route.equals("engine")) {
      return common
          + "x-wr-namespace: example\r\nx-wr-module: "
          + module.name()
          + "\r\nx-wr-version: "
          + module.version()
          + "\r\n";
    }
    return common + "x-wr-destination: http://example." + module.name() + path + "\r\n";
  }

  /** The head of a POST of {@code length} bytes of octets, without its final empty line. */
  private static String postHead(Module module, String route, String path, long length) {
    return head(module, route, "POST", path)
        + "content-type: application/octet-stream\r\ncontent-length: "
        + length
        + "\r\n";
  }

  private static int port(String route) {
    return route.equals("engine") ? engine.port() : proxy.port();
  }

  /** One HTTP/1.1 exchange over a fresh connection; the whole response. */
  private static Response exchange(
      Module module, String route, String method, String path, byte[] body) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port(route))) {
      socket.setSoTimeout(120_000);
      OutputStream out = socket.getOutputStream();
      String head = head(module, route, method, path) + "connection: close\r\n";
      if (body != null) {
        head += "content-type: application/octet-stream\r\ncontent-length: " + body.length + "\r\n";
      }
      out.write((head + "\r\n").getBytes(StandardCharsets.US_ASCII));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream(), RawHttp.CHUNK);
      RawHttp.Head response = RawHttp.readHead(in);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      RawHttp.readBody(in, response, Long.MAX_VALUE, bytes::write);
      return new Response(response.status(), response.headers(), bytes.toByteArray());
    }
  }

  private record Response(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("routes")
  void echoesASmallBodyByteExact(String guest, String route) throws Exception {
    Module module = module(guest);
    byte[] body = new byte[100_000];
    new Random(guest.hashCode()).nextBytes(body);

    Response response = exchange(module, route, "POST", "/some/path?q=1", body);

    assertThat(response.status()).as(response.text()).isEqualTo(200);
    assertThat(response.headers()).containsEntry("x-guest", guest);
    assertThat(response.headers()).containsEntry("x-echo-method", "POST");
    assertThat(response.headers()).containsEntry("x-echo-path", "/some/path?q=1");
    assertThat(response.body()).isEqualTo(body);
  }

  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("routes")
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void streams64MibByteExact(String guest, String route) throws Exception {
    Module module = module(guest);
    MessageDigest sent = RawHttp.sha256();
    MessageDigest received = RawHttp.sha256();
    long total;
    long started = System.nanoTime();
    try (Socket socket = new Socket("127.0.0.1", port(route))) {
      socket.setSoTimeout(120_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          (postHead(module, route, "/big", BIG_BODY) + "connection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // The guest streams the body back as it arrives, and nothing along the way buffers 64 MiB.
      CompletableFuture<Void> writer =
          RawHttp.writeAsync(out, sent, BIG_BODY, new AtomicLong(), false);
      InputStream in = new BufferedInputStream(socket.getInputStream(), RawHttp.CHUNK);
      RawHttp.Head response = RawHttp.readHead(in);
      assertThat(response.status()).isEqualTo(200);
      total = RawHttp.readBody(in, response, Long.MAX_VALUE, received::update);
      writer.get(60, TimeUnit.SECONDS);
    }
    System.out.printf(
        "ToolchainGuestsIT: %s via %s echoed 64 MiB in %d ms%n",
        guest, route, (System.nanoTime() - started) / 1_000_000);
    assertThat(total).isEqualTo(BIG_BODY);
    assertThat(HexFormat.of().formatHex(received.digest()))
        .isEqualTo(HexFormat.of().formatHex(sent.digest()));
  }

  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("routes")
  void anOutboundCallReachesEcho(String guest, String route) throws Exception {
    Module module = module(guest);
    String to = "http://example.echo/echo.EchoService/Echo";

    Response response = exchange(module, route, "GET", "/call?to=" + to, null);

    assertThat(response.status()).as(response.text()).isEqualTo(200);
    assertThat(response.headers()).containsEntry("x-called", to);
    assertThat(response.text()).isEqualTo("hello from " + guest);
  }

  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("routes")
  void aThrownErrorGivesA500WithTheMessageLogged(String guest, String route) throws Exception {
    Module module = module(guest);
    int from = engine.process().output().length();

    int status;
    try (Socket socket = new Socket("127.0.0.1", port(route))) {
      socket.setSoTimeout(60_000);
      socket
          .getOutputStream()
          .write(
              (head(module, route, "GET", "/throw") + "connection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = new BufferedInputStream(socket.getInputStream());
      RawHttp.Head head = RawHttp.readHead(in);
      status = head.status();
      // Read to its end, so that the client is not the one closing early. The JavaScript guest's
      // 500 (StarlingMonkey's answer to the exception) has a chunked body that it drops without
      // finishing: the engine passes that on as an aborted body, which ends without its last
      // chunk.
      try {
        RawHttp.readBody(in, head, Long.MAX_VALUE, (b, off, n) -> {});
      } catch (IOException | NumberFormatException e) {
        assertThat(guest).as("a truncated 500 body: " + e).isEqualTo("js");
      }
    }

    assertThat(status).isEqualTo(500);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              String log = engine.process().output().substring(from);
              assertThat(log).contains("boom from " + guest);
              assertThat(log).contains("request failed: module=" + module.label());
            });
  }

  /**
   * The client reads 1 MiB of an 8 MiB echo and closes: the engine's write fails and the guest's
   * request ends, logged at debug ({@code client_closed}), not as a failed request.
   */
  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("routes")
  void aClientClosingMidResponseIsNotAGuestFailure(String guest, String route) throws Exception {
    Module module = module(guest);
    int from = engine.process().output().length();
    long before = requestsOf(module);
    long size = 8L * 1024 * 1024;
    try (Socket socket = new Socket("127.0.0.1", port(route))) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          (postHead(module, route, "/close-early", size) + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      // The connection closes under the writer once the reader has gone: expected.
      CompletableFuture<Void> writer =
          RawHttp.writeAsync(out, RawHttp.sha256(), size, new AtomicLong(), true);
      InputStream in = new BufferedInputStream(socket.getInputStream(), RawHttp.CHUNK);
      RawHttp.Head response = RawHttp.readHead(in);
      assertThat(response.status()).isEqualTo(200);
      long read = RawHttp.readBody(in, response, 1024 * 1024, (b, off, n) -> {});
      assertThat(read).isGreaterThanOrEqualTo(1024 * 1024);
      socket.close();
      writer.get(60, TimeUnit.SECONDS);
    }
    awaitEnded(module, before);
    assertNoFailureLogged(module, from);
  }

  /** The client reads a complete response and closes the connection at once. */
  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("routes")
  void aClientClosingRightAfterACompleteResponseIsNotAGuestFailure(String guest, String route)
      throws Exception {
    Module module = module(guest);
    int from = engine.process().output().length();
    long before = requestsOf(module);
    byte[] body = new byte[200_000];
    new Random(3).nextBytes(body);
    for (int i = 0; i < 5; i++) {
      Response response = exchange(module, route, "POST", "/complete", body);
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(body);
    }
    awaitEnded(module, before + 4);
    assertNoFailureLogged(module, from);
  }

  private static void assertNoFailureLogged(Module module, int from) throws InterruptedException {
    // Anything logged late (a trap after the client left) has had its chance to appear.
    Thread.sleep(500);
    String log = engine.process().output().substring(from);
    assertThat(log).doesNotContain("request failed: module=" + module.label());
    assertThat(log).doesNotContain("request refused: module=" + module.label());
    assertThat(log.lines().filter(l -> l.contains("WARN") && l.contains(module.label())))
        .as("warnings about %s", module.label())
        .isEmpty();
  }

  /** Waits until the engine counted a request of {@code module} beyond {@code before}. */
  private static void awaitEnded(Module module, long before) {
    await("a request of " + module.label() + " ended")
        .atMost(Duration.ofSeconds(60))
        .until(() -> requestsOf(module) > before);
  }

  /** Requests of {@code module} the engine counted, whatever their status. */
  private static long requestsOf(Module module) throws IOException, InterruptedException {
    String prefix = "wr_engine_requests_total{module=\"" + module.label() + "\"";
    long n = 0;
    for (String line : LocalCluster.get(engine.port(), "/metrics").split("\n")) {
      if (line.startsWith(prefix)) {
        n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return n;
  }
}
