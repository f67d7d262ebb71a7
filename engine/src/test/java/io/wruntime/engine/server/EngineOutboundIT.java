package io.wruntime.engine.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.dispatch.FakeModule;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingResponse;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.OutgoingRequest;
import io.wruntime.engine.module.GuestModuleLoader;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module's outgoing calls through the engine's wiring: in-process when standalone, else proxy.
 */
class EngineOutboundIT {
  @TempDir Path dir;
  private Engine engine;
  private HttpServer proxy;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
    if (proxy != null) {
      proxy.stop(0);
    }
  }

  /** A caller module that calls {@code http://<target>/hello} and answers with what it got. */
  private static FakeModule.Behavior caller(
      AtomicReference<OutboundClient> outbound, String target) {
    return (request, response) -> {
      OutgoingRequest call =
          new OutgoingRequest(
              "GET",
              "http",
              target,
              "/hello",
              List.of(),
              BodySource.empty(),
              null,
              null,
              null,
              new OutgoingRequest.Caller(
                  "example", "caller", "1.0.0", Field.first(request.headers(), "traceparent")));
      String answer;
      try {
        IncomingResponse got = outbound.get().send(call).get(10, TimeUnit.SECONDS);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
          got.body().awaitReadable();
          byte[] data = got.body().read(4096);
          if (data == null) {
            break;
          }
          body.write(data);
        }
        answer = got.status() + " " + body.toString(StandardCharsets.UTF_8);
      } catch (ExecutionException e) {
        OutboundException failure = (OutboundException) e.getCause();
        answer = failure.code() + ": " + failure.getMessage();
      }
      FakeModule.respond(200, answer).handle(request, response);
    };
  }

  private Engine start(String extra, AtomicReference<OutboundClient> outbound, String target)
      throws Exception {
    Path wasm = dir.resolve("m.wasm");
    Files.write(wasm, new byte[] {0});
    String toml =
        "listen_address = \"127.0.0.1:0\"\n"
            + extra
            + "\n"
            + """
            [[module]]
            name = "caller"
            namespace = "example"
            version = "1.0.0"
            wasm_path = "%1$s"
            [[module]]
            name = "callee"
            namespace = "example"
            version = "1.0.0"
            wasm_path = "%1$s"
            """
                .formatted(wasm);
    engine =
        Engine.startWith(
            EngineConfig.parse("test.toml", toml),
            client -> {
              outbound.set(client);
              GuestModuleLoader loader =
                  definition ->
                      new FakeModule(
                          definition.namespace(),
                          definition.name(),
                          definition.version(),
                          definition.name().equals("caller")
                              ? caller(outbound, target)
                              : (request, response) ->
                                  FakeModule.respond(
                                          200,
                                          "callee saw "
                                              + Field.first(request.headers(), "x-wr-module"))
                                      .handle(request, response));
              return loader;
            });
    return engine;
  }

  private String callCaller() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + "/"))
                .header("x-wr-namespace", "example")
                .header("x-wr-module", "caller")
                .header("x-wr-version", "1.0.0")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  @Test
  void standaloneCallsGoToHostedModulesInProcess() throws Exception {
    AtomicReference<OutboundClient> outbound = new AtomicReference<>();
    start("", outbound, "example.callee");

    assertThat(callCaller()).isEqualTo("200 callee saw callee");
  }

  @Test
  void standaloneCallsElsewhereAreNotFound() throws Exception {
    AtomicReference<OutboundClient> outbound = new AtomicReference<>();
    start("", outbound, "api.example.com");

    assertThat(callCaller())
        .isEqualTo(
            "DESTINATION_NOT_FOUND: no proxy configured ([node] proxy_address) and api.example.com"
                + " is not hosted by this engine");
  }

  @Test
  void withANodeCallsGoToTheProxy() throws Exception {
    AtomicReference<String> destination = new AtomicReference<>();
    proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    proxy.createContext(
        "/",
        exchange -> {
          destination.set(exchange.getRequestHeaders().getFirst("x-wr-destination"));
          byte[] body = "from the proxy".getBytes();
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    proxy.start();
    AtomicReference<OutboundClient> outbound = new AtomicReference<>();
    start(
        "[node]\nproxy_address = \"http://127.0.0.1:" + proxy.getAddress().getPort() + "\"",
        outbound,
        "example.callee");

    assertThat(callCaller()).isEqualTo("200 from the proxy");
    assertThat(destination.get()).isEqualTo("http://example.callee/hello");
  }
}
