package io.wruntime.engine.host.http;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wruntime.common.testing.LogLines;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.engine.outbound.OutgoingCallCap;
import io.wruntime.engine.registration.FakeNodeService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A module fanning out (the fanout test guest, 5,000 calls from one request) against the engine's
 * per-request caps on outgoing calls, with the engine's default [limits]: a real engine on
 * loopback, its outgoing calls going to a stand-in proxy (an HTTP server on loopback that records
 * what reaches it and can hold the answers).
 */
class OutgoingCallLimitsIT {
  private static final Path ROOT =
      Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
  private static final Path ECHO = ROOT.resolve("examples/echo/echo.wasm");

  @RegisterExtension final LogLines log = new LogLines(OutgoingCallCap.class);

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger received = new AtomicInteger();
  private final Map<String, Map<String, List<String>>> headersByPath = new ConcurrentHashMap<>();
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private HttpServer proxy;
  private FakeNodeService node;
  private Engine engine;

  @BeforeEach
  void start() throws IOException {
    proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    proxy.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    proxy.createContext("/", this::answer);
    proxy.start();
    node = FakeNodeService.start(0);
    String toml =
        """
        listen_address = "127.0.0.1:0"
        [node]
        proxy_address = "http://127.0.0.1:%d"
        control_address = "127.0.0.1:%d"
        engine_id = "fanout-engine"

        [[module]]
        name = "fanout"
        namespace = "isolation"
        version = "1.0.0"
        wasm_path = "%s"
        request_timeout_secs = 120

        [[module]]
        name = "echo"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        """
            .formatted(proxy.getAddress().getPort(), node.port(), TestGuests.wasm("fanout"), ECHO);
    engine = Engine.startWith(EngineConfig.parse("fanout.toml", toml), WasiHttpModuleLoader::new);
  }

  @AfterEach
  void stop() {
    hold.countDown();
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
    if (node != null) {
      node.close();
    }
    if (proxy != null) {
      proxy.stop(0);
    }
  }

  private void answer(HttpExchange exchange) throws IOException {
    received.incrementAndGet();
    String path = exchange.getRequestURI().getPath();
    headersByPath.put(path, Map.copyOf(exchange.getRequestHeaders()));
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      hold.await(60, TimeUnit.SECONDS);
      byte[] body = ("answer " + path).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      inFlight.decrementAndGet();
      exchange.close();
    }
  }

  @Test
  void aFanOutGetsConnectionLimitReachedBeyond64CallsInFlightAndOtherModulesKeepAnswering()
      throws Exception {
    hold = new CountDownLatch(1);

    CompletableFuture<HttpResponse<String>> fanout = sendAsync(fanout("/fanout/5000"));

    // 64 calls reach the proxy and wait there; the 65th was refused at once.
    await().atMost(Duration.ofSeconds(30)).until(() -> inFlight.get() == 64);
    await().atMost(Duration.ofSeconds(10)).until(() -> !log.at(Level.WARN).isEmpty());
    HttpResponse<String> echo =
        send(
            request("example", "echo", "/")
                .header("content-type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("still answering")));
    assertThat(echo.statusCode()).as(echo.body()).isEqualTo(200);
    assertThat(echo.body()).contains("still answering");
    assertThat(fanout).isNotDone();

    hold.countDown();
    HttpResponse<String> response = fanout.get(60, TimeUnit.SECONDS);

    assertThat(response.statusCode()).isEqualTo(200);
    // error-code 11 is connection-limit-reached.
    assertThat(response.body()).isEqualTo("started=64 error-code=11 answered=64");
    assertThat(maxInFlight.get()).isEqualTo(64);
    assertThat(received.get()).isEqualTo(64);
    assertThat(log.at(Level.WARN))
        .containsExactly(
            "isolation.fanout@1.0.0: a request (trace "
                + traceIdOf(log.at(Level.WARN).get(0))
                + ") has 64 outgoing calls in flight, the most [limits] outgoing_calls = 64"
                + " allows; its further calls fail with connection-limit-reached until one ends");
  }

  @Test
  void oneRequestMakesAtMost1000CallsOverItsLife() throws Exception {
    HttpResponse<String> response = send(fanout("/sequential/5000"));

    assertThat(response.statusCode()).isEqualTo(200);
    // error-code 15 is HTTP-request-denied.
    assertThat(response.body()).isEqualTo("completed=1000 error-code=15");
    assertThat(received.get()).isEqualTo(1000);
    assertThat(log.at(Level.WARN)).hasSize(1);
    assertThat(log.at(Level.WARN).get(0))
        .startsWith("isolation.fanout@1.0.0: a request (trace ")
        .endsWith(
            " made 1000 outgoing calls, the most [limits] outgoing_calls_total = 1000 allows; its"
                + " further calls fail with HTTP-request-denied");

    // The cap is per request: the next request starts afresh.
    assertThat(send(fanout("/sequential/3")).body()).isEqualTo("completed=3 error-code=none");
  }

  @Test
  void routingHeadersAModuleSetsOnItsCallAreReplacedOrDropped() throws Exception {
    HttpResponse<String> response = send(fanout("/forge"));

    assertThat(response.body()).isEqualTo("status=200 body=answer /forged");
    Map<String, List<String>> seen = headersByPath.get("/forged");
    assertThat(seen.get("X-wr-source")).containsExactly("isolation.fanout");
    assertThat(seen.get("X-wr-source-ns")).containsExactly("isolation");
    assertThat(seen.get("X-wr-destination")).containsExactly("http://example.echo/forged");
    assertThat(seen.get("X-app")).containsExactly("kept");
    assertThat(seen).doesNotContainKeys("X-wr-via-proxy", "X-wr-namespace", "X-wr-module");
    assertThat(seen.get("Traceparent")).hasSize(1);
    assertThat(seen.get("Traceparent").get(0)).doesNotContain("0123456789abcdef0123456789abcdef");
  }

  private static String traceIdOf(String line) {
    int start = line.indexOf("(trace ") + "(trace ".length();
    return line.substring(start, line.indexOf(')', start));
  }

  private HttpRequest.Builder request(String namespace, String module, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
        .timeout(Duration.ofSeconds(90))
        .header("x-wr-namespace", namespace)
        .header("x-wr-module", module)
        .header("x-wr-version", "1.0.0");
  }

  private HttpRequest.Builder fanout(String path) {
    return request("isolation", "fanout", path);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
    return client.sendAsync(
        request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
