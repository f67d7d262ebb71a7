package io.wruntime.engine.host.tracing;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.common.testing.RecordingSpanExporter;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.engine.module.HostGrants;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code wruntime:tracing} in a running engine: the C test guest {@code tracing} (built from source
 * with the C SDK) starts spans that are exported to memory with the engine's own.
 */
class ModuleTracingIT {
  private static final Path ROOT =
      Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
  private static final Path GUEST = Path.of("target", "test-guests", "tracing.wasm");
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT = "00f067aa0ba902b7";
  private static final String TRACING_MODULE = "test.tracing@1.0.0";

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

  private void start(String tracingGrant, String extraModules) throws Exception {
    String toml =
        """
        listen_address = "127.0.0.1:0"
        [[module]]
        name = "tracing"
        namespace = "test"
        version = "1.0.0"
        wasm_path = "%s"
        %s
        %s
        """
            .formatted(GUEST.toAbsolutePath(), tracingGrant, extraModules);
    engine =
        Engine.startWith(
            EngineConfig.parse("engine.toml", toml),
            outbound ->
                new WasiHttpModuleLoader(
                    outbound, telemetry.tracer(WasiHttpModuleLoader.TRACER_SCOPE)),
            telemetry);
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
            .header("x-wr-namespace", "test")
            .header("x-wr-module", "tracing")
            .header("x-wr-version", "1.0.0")
            .header("traceparent", "00-" + TRACE + "-" + PARENT + "-01")
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private SpanData awaitSpan(String name) {
    await().atMost(Duration.ofSeconds(10)).until(() -> exporter.named(name).size() == 1);
    return exporter.named(name).get(0);
  }

  private SpanData dispatchSpanOf(String module) {
    await().atMost(Duration.ofSeconds(10)).until(() -> !dispatchOf(module).isEmpty());
    return dispatchOf(module).get(0);
  }

  private List<SpanData> dispatchOf(String module) {
    return exporter.named("engine.dispatch").stream()
        .filter(s -> module.equals(s.getAttributes().get(AttributeKey.stringKey("wr.module"))))
        .toList();
  }

  @Test
  void spansAreChildrenOfTheDispatchSpanWithTheirAttributesEventsAndStatus() throws Exception {
    start("[module.capabilities.tracing]", "");

    HttpResponse<String> response = get("/spans");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    SpanData dispatch = dispatchSpanOf(TRACING_MODULE);
    SpanData outer = awaitSpan("outer");
    SpanData inner = awaitSpan("inner");
    SpanData detached = awaitSpan("detached");
    assertThat(dispatch.getTraceId()).isEqualTo(TRACE);
    assertThat(outer.getTraceId()).isEqualTo(TRACE);
    assertThat(outer.getParentSpanId()).isEqualTo(dispatch.getSpanId());
    assertThat(outer.getKind()).isEqualTo(SpanKind.INTERNAL);
    assertThat(outer.getAttributes().get(AttributeKey.stringKey("wr.module")))
        .isEqualTo(TRACING_MODULE);
    assertThat(outer.getAttributes().get(AttributeKey.stringKey("cart.id"))).isEqualTo("c-42");
    assertThat(outer.getAttributes().get(AttributeKey.longKey("cart.items"))).isEqualTo(3L);
    assertThat(outer.getAttributes().get(AttributeKey.doubleKey("cart.total"))).isEqualTo(12.5);
    assertThat(outer.getAttributes().get(AttributeKey.booleanKey("cart.member"))).isTrue();
    assertThat(outer.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(outer.getEvents()).hasSize(1);
    EventData event = outer.getEvents().get(0);
    assertThat(event.getName()).isEqualTo("checkpoint");
    assertThat(event.getAttributes().get(AttributeKey.stringKey("step"))).isEqualTo("priced");
    assertThat(event.getAttributes().get(AttributeKey.longKey("lines"))).isEqualTo(2L);
    assertThat(event.getAttributes().get(AttributeKey.doubleKey("ratio"))).isEqualTo(0.25);
    assertThat(event.getAttributes().get(AttributeKey.booleanKey("cached"))).isFalse();
    // inner: a child of outer, failed, ended (dropped) before outer.
    assertThat(inner.getParentSpanId()).isEqualTo(outer.getSpanId());
    assertThat(inner.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(inner.getStatus().getDescription()).isEqualTo("payment declined");
    assertThat(inner.getEndEpochNanos()).isLessThanOrEqualTo(outer.getEndEpochNanos());
    // start-root: a new trace, linked to the request's span.
    assertThat(detached.getTraceId()).isNotEqualTo(TRACE);
    assertThat(detached.getParentSpanContext().isValid()).isFalse();
    assertThat(detached.getLinks()).hasSize(1);
    assertThat(detached.getLinks().get(0).getSpanContext().getSpanId())
        .isEqualTo(dispatch.getSpanId());
  }

  @Test
  void aSpanTheModuleNeverEndsEndsWithItsRequest() throws Exception {
    start("[module.capabilities.tracing]", "");

    HttpResponse<String> response = get("/leak");

    assertThat(response.statusCode()).isEqualTo(200);
    SpanData leaked = awaitSpan("leaked");
    assertThat(leaked.hasEnded()).isTrue();
    assertThat(leaked.getParentSpanId()).isEqualTo(dispatchSpanOf(TRACING_MODULE).getSpanId());
  }

  @Test
  void theSpanCapFailsThatRequestCleanlyAndTheEngineKeepsServing() throws Exception {
    start("[module.capabilities.tracing]\nmax_spans = 3", "");

    HttpResponse<String> limited = get("/limit");

    assertThat(limited.statusCode()).isEqualTo(503);
    assertThat(limited.body())
        .isEqualTo(
            "limit: span \"step\" not started: this request already started 3 spans (expected:"
                + " at most max_spans = 3 per request)");
    await().atMost(Duration.ofSeconds(10)).until(() -> exporter.named("step").size() == 3);
    // The cap is per request: the next one starts its three spans.
    HttpResponse<String> next = get("/spans");
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).isEqualTo("ok");
  }

  @Test
  void aBadAttributeValueFailsThatRequestAndTheEngineKeepsServing() throws Exception {
    start("[module.capabilities.tracing]", "");

    HttpResponse<String> bad = get("/bad");

    assertThat(bad.statusCode()).isEqualTo(500);
    assertThat(bad.body())
        .contains("abi_violation")
        .contains(
            "wruntime:tracing/span@0.1.0#[method]span.set-attribute: attribute-value: case 9"
                + " (expected: 0 text, 1 integer, 2 float, 3 boolean)");
    assertThat(awaitSpan("bad").hasEnded()).isTrue();
    assertThat(get("/spans").statusCode()).isEqualTo(200);
  }

  @Test
  void whileAModuleSpanIsCurrentOutgoingCallsCarryItAsParent() throws Exception {
    start(
        "[module.capabilities.tracing]",
        """
        [[module]]
        name = "echo"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        """
            .formatted(ROOT.resolve("examples/echo/echo.wasm")));

    HttpResponse<String> response = get("/call");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("200");
    SpanData calling = awaitSpan("calling");
    SpanData echo = dispatchSpanOf("example.echo@1.0.0");
    assertThat(calling.getParentSpanId()).isEqualTo(dispatchSpanOf(TRACING_MODULE).getSpanId());
    assertThat(echo.getTraceId()).isEqualTo(TRACE);
    assertThat(echo.getParentSpanId()).isEqualTo(calling.getSpanId());
  }

  @Test
  void throughAProxyTheCallCarriesTheCurrentModuleSpanAsParent() throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    proxy.createContext(
        "/",
        exchange -> {
          seen.put("traceparent", exchange.getRequestHeaders().getFirst("traceparent"));
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    proxy.start();
    int closed;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = free.getLocalPort();
    }
    start(
        "[module.capabilities.tracing]",
        """
        [node]
        proxy_address = "http://127.0.0.1:%d"
        control_address = "127.0.0.1:%d"
        engine_id = "engine-t"
        """
            .formatted(proxy.getAddress().getPort(), closed));

    HttpResponse<String> response = get("/call");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("204");
    SpanData calling = awaitSpan("calling");
    assertThat(seen.get("traceparent"))
        .isEqualTo("00-" + TRACE + "-" + calling.getSpanId() + "-01");
  }

  @Test
  void inAnEngineAModuleNotGrantedTracingIsUnavailableWithTheReason() throws Exception {
    start("", "");

    HttpResponse<String> response = get("/spans");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body())
        .contains("module_unavailable")
        .contains("imports wruntime:tracing/span@0.1.0#")
        .contains("expected: [module.capabilities.tracing] in its [[module]] entry");
    assertThat(exporter.named("outer")).isEmpty();
  }

  @Test
  void aModuleNotGrantedTracingFailsToLoadNamingTheImportAndTheKey() {
    WasiHttpModuleLoader loader =
        new WasiHttpModuleLoader(
            request -> {
              throw new AssertionError("no call expected");
            });
    ModuleDefinition definition =
        new ModuleDefinition(
            "test",
            "tracing",
            "1.0.0",
            GUEST,
            Map.of(),
            16 * 1024 * 1024,
            ExecutionMode.INTERPRETED);

    assertThatThrownBy(() -> loader.load(definition))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessageStartingWith("module test.tracing@1.0.0 imports wruntime:tracing/span@0.1.0#")
        .hasMessageEndingWith(
            " but is not granted wruntime:tracing (expected: [module.capabilities.tracing] in its"
                + " [[module]] entry)");
  }

  @Test
  void aGrantedCapabilityTheEngineDoesNotImplementFailsToLoadSayingSo() {
    WasiHttpModuleLoader loader =
        new WasiHttpModuleLoader(
            request -> {
              throw new AssertionError("no call expected");
            });
    ModuleDefinition notGranted =
        new ModuleDefinition(
            "shop",
            "orders",
            "1.0.0",
            Path.of("target", "test-guests", "db_import.wasm"),
            Map.of(),
            16 * 1024 * 1024,
            ExecutionMode.INTERPRETED);
    ModuleDefinition granted =
        new ModuleDefinition(
            "shop",
            "orders",
            "1.0.0",
            notGranted.wasmPath(),
            Map.of(),
            16 * 1024 * 1024,
            ExecutionMode.INTERPRETED,
            ModuleDefinition.DEFAULT_INITIALIZE_TIMEOUT,
            new HostGrants(Set.of(HostGrants.Capability.DB), 1024));

    assertThatThrownBy(() -> loader.load(notGranted))
        .hasMessage(
            "module shop.orders@1.0.0 imports wruntime:db/database@0.1.0#query but is not granted"
                + " wruntime:db (expected: [module.capabilities.db] in its [[module]] entry)");
    assertThatThrownBy(() -> loader.load(granted))
        .hasMessage(
            "module shop.orders@1.0.0 imports wruntime:db/database@0.1.0#query, which its"
                + " [module.capabilities.db] grants but this engine does not implement yet"
                + " (expected: of the host capabilities, only wruntime:blobstore, wruntime:llm,"
                + " wruntime:tracing)");
  }
}
