package io.wruntime.engine.telemetry;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.common.testing.RecordingSpanExporter;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.dispatch.FakeModule;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.module.GuestModuleLoader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engine.dispatch} spans of a running engine, exported to memory: their parent from the
 * incoming {@code traceparent}, their attributes, and the trace context the module's own calls
 * carry (the real caller module calling the real echo module).
 */
class DispatchTracingIT {
  private static final Path ROOT =
      Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT = "00f067aa0ba902b7";

  @TempDir Path dir;
  private final RecordingSpanExporter exporter = new RecordingSpanExporter();
  private final Telemetry telemetry = Telemetry.exportingTo(exporter, "wr-engine");
  private final HttpClient http = HttpClient.newHttpClient();
  private Engine engine;
  private HttpServer proxy;

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
    if (proxy != null) {
      proxy.stop(0);
    }
    telemetry.close();
  }

  private static String module(String name, Path wasm, String extra) {
    return """
        [[module]]
        name = "%s"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        %s
        """
        .formatted(name, wasm, extra);
  }

  private void start(String toml, Function<WasiHttpModuleLoader, GuestModuleLoader> loader)
      throws IOException {
    engine =
        Engine.startWith(
            EngineConfig.parse("engine.toml", "listen_address = \"127.0.0.1:0\"\n" + toml),
            outbound -> loader.apply(new WasiHttpModuleLoader(outbound)),
            telemetry);
  }

  /** Fake modules, each answering what {@code behaviors} says for its name. */
  private void startFakes(Map<String, FakeModule.Behavior> behaviors, String extra)
      throws IOException {
    Path wasm = dir.resolve("fake.wasm");
    Files.write(wasm, new byte[] {0});
    StringBuilder toml = new StringBuilder();
    behaviors.keySet().forEach(name -> toml.append(module(name, wasm, extra)));
    start(
        toml.toString(),
        wasi ->
            definition ->
                new FakeModule(
                    definition.namespace(),
                    definition.name(),
                    definition.version(),
                    behaviors.get(definition.name())));
  }

  private HttpResponse<String> send(String module, String path, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
            .header("x-wr-namespace", "example")
            .header("x-wr-module", module)
            .header("x-wr-version", "1.0.0");
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private SpanData awaitSpan(String module) {
    await().atMost(Duration.ofSeconds(10)).until(() -> spanOf(module) != null);
    return spanOf(module);
  }

  /** The exported span of {@code module} ({@code wr.module}), or null. */
  private SpanData spanOf(String module) {
    return exporter.spans().stream()
        .filter(s -> module.equals(s.getAttributes().get(DispatchTracing.MODULE)))
        .findFirst()
        .orElse(null);
  }

  @Test
  void aModulesCallIsAChildOfItsDispatchSpanWhichIsAChildOfTheIncomingTraceparent()
      throws Exception {
    start(
        module("echo", ROOT.resolve("examples/echo/echo.wasm"), "")
            + module("caller", ROOT.resolve("examples/caller/caller.wasm"), ""),
        wasi -> wasi);

    HttpResponse<String> response =
        send(
            "caller",
            "/run",
            Map.of(
                "accept", "text/plain",
                "traceparent", "00-" + TRACE + "-" + PARENT + "-01",
                "x-wr-source", "shop.web"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello\n");
    SpanData caller = awaitSpan("example.caller@1.0.0");
    SpanData echo = awaitSpan("example.echo@1.0.0");
    assertThat(caller.getName()).isEqualTo("engine.dispatch");
    assertThat(caller.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(caller.getTraceId()).isEqualTo(TRACE);
    assertThat(caller.getParentSpanId()).isEqualTo(PARENT);
    assertThat(caller.getAttributes().get(DispatchTracing.SOURCE)).isEqualTo("shop.web");
    assertThat(caller.getAttributes().get(DispatchTracing.METHOD)).isEqualTo("GET");
    assertThat(caller.getAttributes().get(DispatchTracing.STATUS)).isEqualTo(200L);
    assertThat(caller.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(caller.getResource().getAttributes().asMap().toString())
        .contains("service.name=wr-engine");
    // The in-process call carried the caller's dispatch span as its parent.
    assertThat(echo.getName()).isEqualTo("engine.dispatch");
    assertThat(echo.getTraceId()).isEqualTo(TRACE);
    assertThat(echo.getParentSpanId()).isEqualTo(caller.getSpanId());
    assertThat(echo.getAttributes().get(DispatchTracing.METHOD)).isEqualTo("POST");
    assertThat(echo.getAttributes().get(DispatchTracing.STATUS)).isEqualTo(200L);
    assertThat(echo.getStartEpochNanos()).isGreaterThanOrEqualTo(caller.getStartEpochNanos());
  }

  @Test
  void throughAProxyTheCallCarriesTheDispatchSpanAsParent() throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    proxy.createContext(
        "/",
        exchange -> {
          seen.put("traceparent", exchange.getRequestHeaders().getFirst("traceparent"));
          seen.put("destination", exchange.getRequestHeaders().getFirst("x-wr-destination"));
          exchange.getRequestBody().readAllBytes();
          byte[] echoResponse = {0x0a, 0x02, 'h', 'i'};
          exchange.getResponseHeaders().set("content-type", "application/protobuf");
          exchange.sendResponseHeaders(200, echoResponse.length);
          exchange.getResponseBody().write(echoResponse);
          exchange.close();
        });
    proxy.start();
    int closed;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = free.getLocalPort();
    }
    start(
        """
        [node]
        proxy_address = "http://127.0.0.1:%d"
        control_address = "127.0.0.1:%d"
        engine_id = "engine-t"
        """
                .formatted(proxy.getAddress().getPort(), closed)
            + module("caller", ROOT.resolve("examples/caller/caller.wasm"), ""),
        wasi -> wasi);

    HttpResponse<String> response =
        send(
            "caller",
            "/run",
            Map.of("accept", "text/plain", "traceparent", "00-" + TRACE + "-" + PARENT + "-01"));

    assertThat(response.body()).isEqualTo("hi\n");
    SpanData caller = awaitSpan("example.caller@1.0.0");
    assertThat(seen.get("destination")).isEqualTo("http://example.echo/echo.EchoService/Echo");
    assertThat(seen.get("traceparent")).isEqualTo("00-" + TRACE + "-" + caller.getSpanId() + "-01");
  }

  @Test
  void theModuleSeesItsDispatchSpanAsTraceparent() throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    startFakes(
        Map.of(
            "app",
            (request, response) -> {
              String traceparent = Field.first(request.headers(), "traceparent");
              String tracestate = Field.first(request.headers(), "tracestate");
              seen.put(request.pathWithQuery(), traceparent + " " + tracestate);
              FakeModule.respond(200, "ok").handle(request, response);
            }),
        "");

    send("app", "/fresh", Map.of());
    send(
        "app",
        "/continued",
        Map.of("traceparent", "00-" + TRACE + "-" + PARENT + "-01", "tracestate", "vendor=x"));

    await().atMost(Duration.ofSeconds(10)).until(() -> exporter.spans().size() == 2);
    SpanData fresh =
        exporter.spans().stream()
            .filter(s -> !s.getParentSpanContext().isValid())
            .findFirst()
            .get();
    SpanData continued =
        exporter.spans().stream().filter(s -> s.getParentSpanContext().isValid()).findFirst().get();
    assertThat(fresh.getParentSpanContext().isValid()).isFalse();
    assertThat(seen.get("/fresh"))
        .isEqualTo(
            "00-"
                + fresh.getTraceId()
                + "-"
                + fresh.getSpanId()
                + "-"
                + fresh.getSpanContext().getTraceFlags().asHex()
                + " null");
    assertThat(continued.getParentSpanId()).isEqualTo(PARENT);
    assertThat(seen.get("/continued"))
        .isEqualTo("00-" + TRACE + "-" + continued.getSpanId() + "-01 vendor=x");
  }

  @Test
  void withoutAnExporterEachRequestStillGetsItsOwnTraceContext() throws Exception {
    Path wasm = dir.resolve("fake.wasm");
    Files.write(wasm, new byte[] {0});
    List<String> seen = new CopyOnWriteArrayList<>();
    engine =
        Engine.startWith(
            EngineConfig.parse(
                "engine.toml", "listen_address = \"127.0.0.1:0\"\n" + module("app", wasm, "")),
            outbound ->
                definition ->
                    new FakeModule(
                        definition.namespace(),
                        definition.name(),
                        definition.version(),
                        (request, response) -> {
                          seen.add(Field.first(request.headers(), "traceparent"));
                          FakeModule.respond(200, "ok").handle(request, response);
                        }));

    send("app", "/", Map.of());
    send("app", "/", Map.of("traceparent", "00-" + TRACE + "-" + PARENT + "-01"));

    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]");
    assertThat(seen.get(1))
        .matches("00-" + TRACE + "-[0-9a-f]{16}-01")
        .isNotEqualTo("00-" + TRACE + "-" + PARENT + "-01");
    assertThat(exporter.spans()).isEmpty();
  }

  @Test
  void serverErrorsMarkTheSpanAsAnError() throws Exception {
    startFakes(
        Map.of(
            "unavailable", FakeModule.respond(503, "busy"),
            "absent", FakeModule.respond(404, "no such item"),
            "slow", FakeModule.sleeper()),
        "request_timeout_secs = 1");

    assertThat(send("unavailable", "/", Map.of()).statusCode()).isEqualTo(503);
    assertThat(send("absent", "/", Map.of()).statusCode()).isEqualTo(404);
    assertThat(send("slow", "/", Map.of()).statusCode()).isEqualTo(504);

    SpanData unavailable = awaitSpan("example.unavailable@1.0.0");
    assertThat(unavailable.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(unavailable.getAttributes().get(DispatchTracing.STATUS)).isEqualTo(503L);
    assertThat(unavailable.getAttributes().get(DispatchTracing.ERROR_TYPE)).isNull();
    SpanData absent = awaitSpan("example.absent@1.0.0");
    assertThat(absent.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(absent.getAttributes().get(DispatchTracing.STATUS)).isEqualTo(404L);
    SpanData slow = awaitSpan("example.slow@1.0.0");
    assertThat(slow.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(slow.getStatus().getDescription())
        .isEqualTo("module example.slow@1.0.0 did not respond within 1 s (request_timeout_secs)");
    assertThat(slow.getAttributes().get(DispatchTracing.STATUS)).isEqualTo(504L);
    assertThat(slow.getAttributes().get(DispatchTracing.ERROR_TYPE)).isEqualTo("deadline_exceeded");
  }

  @Test
  void healthChecksAreTracedOnlyWhenTheyCarryATrace() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    startFakes(
        Map.of(
            "app",
            (request, response) -> {
              seen.set(Field.first(request.headers(), "traceparent"));
              FakeModule.respond(200, "ok").handle(request, response);
            }),
        "");

    assertThat(send("app", "/__health", Map.of()).statusCode()).isEqualTo(200);
    assertThat(seen.get()).isNull();
    assertThat(
            send("app", "/__health", Map.of("traceparent", "00-" + TRACE + "-" + PARENT + "-01"))
                .statusCode())
        .isEqualTo(200);

    SpanData traced = awaitSpan("example.app@1.0.0");
    assertThat(traced.getParentSpanId()).isEqualTo(PARENT);
    assertThat(exporter.spans()).hasSize(1);
    assertThat(seen.get()).isEqualTo("00-" + TRACE + "-" + traced.getSpanId() + "-01");
  }
}
