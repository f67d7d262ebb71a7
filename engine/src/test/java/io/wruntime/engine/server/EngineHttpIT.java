package io.wruntime.engine.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.dispatch.Dispatcher;
import io.wruntime.engine.dispatch.FakeModule;
import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.module.GuestModuleLoader;
import io.wruntime.engine.module.ModuleLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The engine over real HTTP: Netty on a loopback port, fake modules, the JDK client. */
class EngineHttpIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MIB = 1024 * 1024;

  @TempDir Path dir;
  private Engine engine;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
  }

  /** Starts an engine hosting {@code modules} (name → behavior) in namespace example, 1.0.0. */
  private Engine start(Map<String, FakeModule.Behavior> modules, String extra, String moduleExtra)
      throws IOException {
    StringBuilder toml = new StringBuilder("listen_address = \"127.0.0.1:0\"\n" + extra + "\n");
    for (String name : modules.keySet()) {
      Path wasm = dir.resolve(name + ".wasm");
      if (!name.equals("missing")) {
        Files.write(wasm, new byte[] {0, 'a', 's', 'm'});
      }
      toml.append(
          """
          [[module]]
          name = "%s"
          namespace = "example"
          version = "1.0.0"
          wasm_path = "%s"
          %s
          """
              .formatted(name, wasm, moduleExtra));
    }
    GuestModuleLoader loader =
        definition -> {
          FakeModule.Behavior behavior = modules.get(definition.name());
          if (behavior == null) {
            throw new ModuleLoadException(
                "module does not export wasi:http/incoming-handler@0.2.0#handle");
          }
          return new FakeModule(
              definition.namespace(), definition.name(), definition.version(), behavior);
        };
    engine = Engine.start(EngineConfig.parse("test.toml", toml.toString()), loader);
    return engine;
  }

  private Engine start(Map<String, FakeModule.Behavior> modules) throws IOException {
    return start(modules, "", "");
  }

  private HttpRequest.Builder request(String module, String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
            .timeout(Duration.ofSeconds(30));
    if (module != null) {
      b.header("x-wr-namespace", "example")
          .header("x-wr-module", module)
          .header("x-wr-version", "1.0.0");
    }
    return b;
  }

  private HttpResponse<String> get(String module, String path) throws Exception {
    return client.send(request(module, path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, FakeModule.Behavior> modules(Object... pairs) {
    Map<String, FakeModule.Behavior> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], (FakeModule.Behavior) pairs[i + 1]);
    }
    return out;
  }

  @Test
  void healthAndReadinessOnTheMainListener() throws Exception {
    Map<String, FakeModule.Behavior> hosted = modules("echo", FakeModule.echo());
    hosted.put("bad", null);
    hosted.put("missing", FakeModule.echo());
    start(hosted);

    HttpResponse<String> health = get(null, "/healthz");
    HttpResponse<String> ready = get(null, "/readyz");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
    assertThat(health.headers().firstValue("content-type")).contains("application/json");
    assertThat(ready.statusCode()).isEqualTo(503);
    JsonNode body = JSON.readTree(ready.body());
    assertThat(body.get("status").asText()).isEqualTo("not_ready");
    assertThat(body.get("modules").get(0).get("module").asText()).isEqualTo("example.echo@1.0.0");
    assertThat(body.get("modules").get(0).get("state").asText()).isEqualTo("ready");
    assertThat(body.get("modules").get(1).get("state").asText()).isEqualTo("failed");
    assertThat(body.get("modules").get(1).get("error").asText())
        .isEqualTo("module does not export wasi:http/incoming-handler@0.2.0#handle");
    assertThat(body.get("modules").get(2).get("error").asText())
        .isEqualTo(
            "wasm_path "
                + dir.resolve("missing.wasm")
                + " does not exist (expected: a .wasm file)");
  }

  @Test
  void readyWhenEveryModuleLoaded() throws Exception {
    start(modules("echo", FakeModule.echo()));

    HttpResponse<String> ready = get(null, "/readyz");

    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("ready");
    assertThat(get(null, "/metrics").body())
        .contains("wr_engine_module_ready{module=\"example.echo@1.0.0\"} 1");
  }

  @Test
  void healthPathWithDispatchHeadersGoesToTheModule() throws Exception {
    start(modules("echo", FakeModule.respond(200, "from the module")));

    assertThat(get("echo", "/healthz").body()).isEqualTo("from the module");
  }

  @Test
  void separateAdminListener() throws Exception {
    start(modules("echo", FakeModule.echo()), "admin_address = \"127.0.0.1:0\"", "");

    HttpResponse<String> admin =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + engine.adminPort() + "/healthz"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> main = get(null, "/healthz");

    assertThat(admin.statusCode()).isEqualTo(200);
    assertThat(main.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(main.body()).get("code").asText())
        .isEqualTo("missing_dispatch_headers");
  }

  @Test
  void errorsAreJsonWithStatusCodeAndModule() throws Exception {
    Map<String, FakeModule.Behavior> hosted = modules("echo", FakeModule.echo());
    hosted.put("bad", null);
    start(hosted);

    HttpResponse<String> missing = get(null, "/x");
    HttpResponse<String> unknown = get("nope", "/x");
    HttpResponse<String> unavailable = get("bad", "/x");

    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.headers().firstValue("content-type")).contains("application/json");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).get("error").asText())
        .isEqualTo(
            "module example.nope@1.0.0 is not hosted by this engine (hosted: example.echo@1.0.0,"
                + " example.bad@1.0.0)");
    assertThat(unavailable.statusCode()).isEqualTo(503);
    JsonNode body = JSON.readTree(unavailable.body());
    assertThat(body.get("code").asText()).isEqualTo("module_unavailable");
    assertThat(body.get("error").asText())
        .isEqualTo(
            "module example.bad@1.0.0 failed to load: module does not export"
                + " wasi:http/incoming-handler@0.2.0#handle");
    assertThat(body.get("module").asText()).isEqualTo("example.bad@1.0.0");
  }

  @Test
  void deadlineAnswers504() throws Exception {
    start(modules("sleepy", FakeModule.sleeper()), "", "request_timeout_secs = 1");

    HttpResponse<String> response = get("sleepy", "/");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(JSON.readTree(response.body()).get("error").asText())
        .isEqualTo("module example.sleepy@1.0.0 did not respond within 1 s (request_timeout_secs)");
  }

  @Test
  void deadlineAfterTheResponseStartedResetsTheConnection() throws Exception {
    start(
        modules(
            "stream",
            (FakeModule.Behavior)
                (request, response) -> {
                  BodySink sink = response.start(200, List.of());
                  sink.write(new byte[] {'a'}, 0, 1);
                  Thread.sleep(60_000);
                }),
        "",
        "request_timeout_secs = 1");

    try (RawHttp raw = new RawHttp(engine.port())) {
      raw.send(
          "GET / HTTP/1.1\r\nhost: x\r\nx-wr-namespace: example\r\nx-wr-module: stream\r\n"
              + "x-wr-version: 1.0.0\r\n\r\n");
      RawHttp.Response head = raw.readHead();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.headers()).containsEntry("transfer-encoding", "chunked");
      assertThat(new String(raw.in.readNBytes(6))).isEqualTo("1\r\na\r\n");
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void streams64MiBThroughAnEchoModule() throws Exception {
    // Full duplex: the echo answers while the upload is still going, so the client writes and
    // reads at once (the JDK client sends the whole body before it reads a response).
    start(modules("echo", FakeModule.echo()));
    long size = 64 * MIB;
    engine.bufferedBodies().resetPeak();

    try (RawHttp raw = new RawHttp(engine.port())) {
      raw.send(
          "POST /echo HTTP/1.1\r\nhost: x\r\nx-wr-namespace: example\r\nx-wr-module: echo\r\n"
              + "x-wr-version: 1.0.0\r\ntransfer-encoding: chunked\r\n\r\n");
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (InputStream in = new PatternStream(size)) {
                      byte[] buf = new byte[50_000];
                      int n;
                      while ((n = in.read(buf)) > 0) {
                        raw.out.write((Integer.toHexString(n) + "\r\n").getBytes());
                        raw.out.write(buf, 0, n);
                        raw.out.write("\r\n".getBytes());
                      }
                      raw.out.write("0\r\n\r\n".getBytes());
                      raw.out.flush();
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
      RawHttp.Response head = raw.readHead();
      assertThat(head.status()).isEqualTo(200);
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      long received = raw.readChunked(digest);
      writer.join();

      assertThat(received).isEqualTo(size);
      assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(PatternStream.sha256(size));
    }
    assertThat(engine.bufferedBodies().peak())
        .isLessThanOrEqualTo(HttpServer.BODY_HIGH_WATER + HttpServerInitializer.MAX_CHUNK_SIZE);
  }

  @Test
  void streams64MiBEachWayWithTheJdkClient() throws Exception {
    long size = 64 * MIB;
    start(
        modules(
            "digest",
            (FakeModule.Behavior)
                (request, response) -> {
                  MessageDigest digest = MessageDigest.getInstance("SHA-256");
                  long n = 0;
                  while (true) {
                    request.body().awaitReadable();
                    byte[] data = request.body().read(64 * 1024);
                    if (data == null) {
                      break;
                    }
                    digest.update(data);
                    n += data.length;
                  }
                  FakeModule.respond(200, n + " " + HexFormat.of().formatHex(digest.digest()))
                      .handle(request, response);
                },
            "generate",
            (FakeModule.Behavior)
                (request, response) -> {
                  BodySink sink = response.start(200, List.of());
                  try (InputStream in = new PatternStream(size)) {
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                      while (sink.capacity() == 0) {
                        sink.awaitWritable();
                      }
                      sink.write(buf, 0, n);
                    }
                  }
                  sink.finish(List.of());
                }));
    engine.bufferedBodies().resetPeak();

    HttpResponse<String> upload =
        client.send(
            request("digest", "/")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(size)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<InputStream> download =
        client.send(
            request("generate", "/").GET().build(), HttpResponse.BodyHandlers.ofInputStream());

    assertThat(upload.statusCode()).isEqualTo(200);
    assertThat(upload.body()).isEqualTo(size + " " + PatternStream.sha256(size));
    assertThat(engine.bufferedBodies().peak())
        .isLessThanOrEqualTo(HttpServer.BODY_HIGH_WATER + HttpServerInitializer.MAX_CHUNK_SIZE);
    assertThat(download.statusCode()).isEqualTo(200);
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    long received = 0;
    try (InputStream in = download.body()) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        digest.update(buf, 0, n);
        received += n;
      }
    }
    assertThat(received).isEqualTo(size);
    assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(PatternStream.sha256(size));
  }

  @Test
  void aSlowModuleHoldsTheUploadBack() throws Exception {
    long[] read = new long[1];
    start(modules("slow", FakeModule.slowReader(16 * 1024, Duration.ofMillis(1), read)));
    long size = 8 * MIB;
    engine.bufferedBodies().resetPeak();

    HttpResponse<String> response =
        client.send(
            request("slow", "/upload")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(size)))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(Long.toString(size));
    // Whatever the body size, the engine holds at most its high-water mark plus one message.
    assertThat(engine.bufferedBodies().peak())
        .isLessThanOrEqualTo(HttpServer.BODY_HIGH_WATER + HttpServerInitializer.MAX_CHUNK_SIZE);
    assertThat(engine.bufferedBodies().current()).isZero();
  }

  @Test
  void aSlowClientHoldsTheModuleBack() throws Exception {
    long size = 64 * MIB;
    AtomicLong written = new AtomicLong();
    AtomicBoolean waiting = new AtomicBoolean();
    start(
        modules(
            "big",
            (FakeModule.Behavior)
                (request, response) -> {
                  BodySink sink =
                      response.start(200, List.of(Field.of("content-length", Long.toString(size))));
                  byte[] chunk = new byte[64 * 1024];
                  while (written.get() < size) {
                    if (sink.capacity() == 0) {
                      waiting.set(true);
                      sink.awaitWritable();
                      continue;
                    }
                    sink.write(chunk, 0, chunk.length);
                    written.addAndGet(chunk.length);
                  }
                  sink.finish(List.of());
                }));

    try (RawHttp raw = new RawHttp(engine.port(), 64 * 1024)) {
      raw.send(
          "GET / HTTP/1.1\r\nhost: x\r\nx-wr-namespace: example\r\nx-wr-module: big\r\n"
              + "x-wr-version: 1.0.0\r\n\r\n");
      await().untilTrue(waiting);
      await().pollDelay(Duration.ofMillis(300)).until(() -> true);
      // Stalled: kernel buffers (which the kernel may still grow a little) and the channel's
      // water mark hold a few MiB at most, far from the 64 MiB the module wants to write.
      assertThat(written.get()).isLessThan(size / 4);

      RawHttp.Response head = raw.readHead();
      assertThat(head.headers()).containsEntry("content-length", Long.toString(size));
      assertThat(head.headers()).doesNotContainKey("transfer-encoding");
      long received = 0;
      byte[] buf = new byte[256 * 1024];
      int n;
      while (received < size && (n = raw.in.read(buf)) > 0) {
        received += n;
      }
      assertThat(received).isEqualTo(size);
    }
  }

  @Test
  void aClientClosingAfterTheWholeBodyIsNotLoggedAsTheModulesFailure() throws Exception {
    ListAppender<ILoggingEvent> logs = dispatcherLog();
    AtomicBoolean clientGone = new AtomicBoolean();
    start(
        modules(
            "quick",
            (FakeModule.Behavior)
                (request, response) -> {
                  BodySink sink = response.start(200, List.of(Field.of("content-length", "5")));
                  sink.write("hello".getBytes(), 0, 5);
                  // The client has every byte it was promised and hangs up before the module
                  // finishes its body (as a handler that does more work after writing does).
                  await().atMost(Duration.ofSeconds(20)).until(response::clientClosed);
                  clientGone.set(true);
                  sink.finish(List.of());
                },
            "unfinished",
            (FakeModule.Behavior)
                (request, response) -> {
                  BodySink sink = response.start(200, List.of(Field.of("content-length", "5")));
                  sink.write("hello".getBytes(), 0, 3);
                }));
    try {
      try (RawHttp raw = new RawHttp(engine.port(), 64 * 1024)) {
        raw.send(
            "GET / HTTP/1.1\r\nhost: x\r\nx-wr-namespace: example\r\nx-wr-module: quick\r\n"
                + "x-wr-version: 1.0.0\r\n\r\n");
        RawHttp.Response head = raw.readHead();
        assertThat(head.status()).isEqualTo(200);
        assertThat(raw.in.readNBytes(5)).isEqualTo("hello".getBytes());
      }
      await().untilTrue(clientGone);
      // A module that really leaves its body unfinished, with the client still there, is logged.
      HttpResponse<String> cut = null;
      try {
        cut = get("unfinished", "/");
      } catch (IOException expected) {
        // the engine cut the response short
      }
      assertThat(cut == null || cut.body().length() < 5).isTrue();
      await()
          .untilAsserted(
              () ->
                  assertThat(warnings(logs))
                      .anySatisfy(
                          line ->
                              assertThat(line)
                                  .contains("module=example.unfinished@1.0.0")
                                  .contains("incomplete_response")));
      assertThat(warnings(logs)).noneMatch(line -> line.contains("example.quick"));
    } finally {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Dispatcher.class))
          .detachAppender(logs);
    }
  }

  private static ListAppender<ILoggingEvent> dispatcherLog() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Dispatcher.class))
        .addAppender(appender);
    return appender;
  }

  private static List<String> warnings(ListAppender<ILoggingEvent> logs) {
    synchronized (logs) {
      return logs.list.stream()
          .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  @Test
  void aClientResetFailsTheRequestBody() throws Exception {
    AtomicReference<String> failure = new AtomicReference<>();
    start(
        modules(
            "reader",
            (FakeModule.Behavior)
                (request, response) -> {
                  try {
                    while (true) {
                      request.body().awaitReadable();
                      if (request.body().read(1024) == null) {
                        break;
                      }
                    }
                  } catch (IOException e) {
                    failure.set(e.getMessage());
                    throw e;
                  }
                }));

    try (RawHttp raw = new RawHttp(engine.port())) {
      raw.send(
          "POST / HTTP/1.1\r\nhost: x\r\nx-wr-namespace: example\r\nx-wr-module: reader\r\n"
              + "x-wr-version: 1.0.0\r\ncontent-length: 1000000\r\n\r\n"
              + "x".repeat(1000));
      raw.socket.setSoLinger(true, 0);
    }

    await()
        .untilAsserted(
            () ->
                assertThat(failure.get())
                    .isEqualTo("the client closed the connection before the request body ended"));
    await().until(() -> engine.bufferedBodies().current() == 0);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
    start(
        modules(
            "path",
            (FakeModule.Behavior)
                (request, response) ->
                    FakeModule.respond(200, request.pathWithQuery()).handle(request, response)));
    String headers =
        "host: x\r\nx-wr-namespace: example\r\nx-wr-module: path\r\nx-wr-version: 1.0.0\r\n";

    try (RawHttp raw = new RawHttp(engine.port())) {
      raw.send(
          "GET /one HTTP/1.1\r\n"
              + headers
              + "\r\n"
              + "POST /two HTTP/1.1\r\n"
              + headers
              + "content-length: 3\r\n\r\nabc"
              + "GET /three?x=1 HTTP/1.1\r\n"
              + headers
              + "\r\n");

      assertThat(raw.read().text()).isEqualTo("/one");
      assertThat(raw.read().text()).isEqualTo("/two");
      assertThat(raw.read().text()).isEqualTo("/three?x=1");
    }
  }

  @Test
  void anUnreadBodyIsDrainedToKeepTheConnection() throws Exception {
    start(modules("echo", FakeModule.echo()));
    String headers =
        "host: x\r\nx-wr-namespace: example\r\nx-wr-module: nope\r\nx-wr-version: 1.0.0\r\n";

    try (RawHttp raw = new RawHttp(engine.port())) {
      raw.send("POST / HTTP/1.1\r\n" + headers + "content-length: 200000\r\n\r\n");
      raw.send("y".repeat(200_000));
      assertThat(raw.read().status()).isEqualTo(404);
      raw.send("GET / HTTP/1.1\r\n" + headers + "\r\n");
      assertThat(raw.read().status()).isEqualTo(404);
    }
  }

  @Test
  void aLargeUnreadBodyClosesTheConnectionAfterTheResponse() throws Exception {
    start(modules("echo", FakeModule.echo()));

    try (RawHttp raw = new RawHttp(engine.port())) {
      raw.send(
          "POST / HTTP/1.1\r\nhost: x\r\nx-wr-namespace: example\r\nx-wr-module: nope\r\n"
              + "x-wr-version: 1.0.0\r\ncontent-length: 100000000\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(404);
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      byte[] chunk = new byte[64 * 1024];
                      for (int i = 0; i < 100; i++) {
                        raw.out.write(chunk);
                      }
                    } catch (IOException e) {
                      // the server closed the connection, as expected
                    }
                  });
      assertThat(raw.closedByServer()).isTrue();
      writer.join(10_000);
    }
  }

  @Test
  void oversizedAndMalformedRequestsAreRefusedWithJson() throws Exception {
    start(modules("echo", FakeModule.echo()));

    try (RawHttp raw = new RawHttp(engine.port())) {
      raw.send("GET / HTTP/1.1\r\nhost: x\r\nx-big: " + "a".repeat(20_000) + "\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(431);
      assertThat(JSON.readTree(response.text()).get("code").asText())
          .isEqualTo("request_header_too_large");
      assertThat(raw.closedByServer()).isTrue();
    }
    try (RawHttp raw = new RawHttp(engine.port())) {
      raw.send("GET / HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(400);
      assertThat(JSON.readTree(response.text()).get("code").asText())
          .isEqualTo("malformed_request");
    }
  }

  @Test
  void moduleTrailersReachTheClient() throws Exception {
    start(
        modules(
            "trailers",
            (FakeModule.Behavior)
                (request, response) -> {
                  BodySink sink = response.start(201, List.of(Field.of("x-from", "module")));
                  sink.write("ok".getBytes(), 0, 2);
                  sink.finish(List.of(Field.of("x-checksum", "42")));
                }));

    try (RawHttp raw = new RawHttp(engine.port())) {
      raw.send(
          "GET / HTTP/1.1\r\nhost: x\r\nx-wr-namespace: example\r\nx-wr-module: trailers\r\n"
              + "x-wr-version: 1.0.0\r\n\r\n");
      RawHttp.Response head = raw.readHead();
      assertThat(head.status()).isEqualTo(201);
      assertThat(head.headers()).containsEntry("x-from", "module");
      String rest =
          new String(raw.in.readNBytes("2\r\nok\r\n0\r\nx-checksum: 42\r\n\r\n".length()));
      assertThat(rest).isEqualTo("2\r\nok\r\n0\r\nx-checksum: 42\r\n\r\n");
    }
  }

  @Test
  void closeLetsInFlightRequestsFinishAndStopsAcceptingAndBeingReady() throws Exception {
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    start(
        modules(
            "slow",
            (FakeModule.Behavior)
                (request, response) -> {
                  started.countDown();
                  release.await();
                  FakeModule.respond(200, "finished").handle(request, response);
                }),
        "admin_address = \"127.0.0.1:0\"",
        "");
    java.util.concurrent.CompletableFuture<HttpResponse<String>> inFlight =
        client.sendAsync(request("slow", "/").build(), HttpResponse.BodyHandlers.ofString());
    started.await();
    Engine stopping = engine;
    Thread closer = Thread.ofVirtual().start(() -> stopping.close(Duration.ofSeconds(10)));

    await()
        .untilAsserted(
            () -> {
              HttpResponse<String> ready =
                  client.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + stopping.adminPort() + "/readyz"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              assertThat(ready.statusCode()).isEqualTo(503);
              assertThat(ready.body()).contains("\"status\":\"stopping\"");
            });
    assertThat(connects(stopping.port())).isFalse();
    release.countDown();

    assertThat(inFlight.get(10, java.util.concurrent.TimeUnit.SECONDS).body())
        .isEqualTo("finished");
    closer.join();
    engine = null;
  }

  private static boolean connects(int port) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A deterministic byte stream of {@code size} bytes. */
  static final class PatternStream extends InputStream {
    private final long size;
    private long pos;

    PatternStream(long size) {
      this.size = size;
    }

    static byte at(long i) {
      return (byte) ((i * 31 + (i >>> 13)) & 0xff);
    }

    @Override
    public int read() {
      return pos < size ? at(pos++) & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - pos);
      for (int i = 0; i < n; i++) {
        b[off + i] = at(pos++);
      }
      return n;
    }

    static String sha256(long size) throws Exception {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new PatternStream(size)) {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          digest.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}
