package io.wruntime.engine.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wruntime.engine.dispatch.Dispatcher;
import io.wruntime.engine.dispatch.FakeModule;
import io.wruntime.engine.dispatch.HostedModule;
import io.wruntime.engine.dispatch.ModuleLimits;
import io.wruntime.engine.dispatch.ModuleRegistry;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.IncomingResponse;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.OutgoingRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalOutboundClientTest {
  private static final ModuleLimits LIMITS = new ModuleLimits(Duration.ofSeconds(10), 4, 8);
  private static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private final ModuleRegistry registry = new ModuleRegistry();
  private final Dispatcher dispatcher = new Dispatcher(registry, 100, Duration.ofMillis(200));
  private final LocalOutboundClient client = new LocalOutboundClient(dispatcher, 1024 * 1024);
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() throws InterruptedException {
    release.countDown();
    dispatcher.shutdown(Duration.ofSeconds(2));
  }

  private void host(
      String name, String version, FakeModule.Behavior behavior, ModuleLimits limits) {
    registry.add(
        HostedModule.ready(
            "inventory",
            name,
            version,
            new FakeModule("inventory", name, version, behavior),
            limits));
  }

  private static OutgoingRequest request(String authority, List<Field> headers, BodySource body) {
    return new OutgoingRequest(
        "POST",
        "http",
        authority,
        "/items?x=1",
        headers,
        body,
        null,
        null,
        null,
        new OutgoingRequest.Caller("shop", "cart", "1.0.0", PARENT));
  }

  private static IncomingResponse ok(CompletableFuture<IncomingResponse> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  private static OutboundException failure(CompletableFuture<IncomingResponse> future) {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (OutboundException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void callsAHostedModuleInProcessWithTheHeadersAProxyWouldSet() throws Exception {
    AtomicReference<IncomingRequest> seen = new AtomicReference<>();
    host(
        "stock",
        "1.0.0",
        (request, response) -> {
          seen.set(request);
          FakeModule.echo().handle(request, response);
        },
        LIMITS);

    IncomingResponse response =
        ok(
            client.send(
                request(
                    "inventory.stock:80",
                    List.of(Field.of("x-custom", "kept"), Field.of("x-wr-namespace", "spoofed")),
                    Bodies.of("ping".getBytes()))));

    assertThat(response.status()).isEqualTo(200);
    assertThat(Bodies.text(response.body())).isEqualTo("ping");
    IncomingRequest in = seen.get();
    assertThat(in.pathWithQuery()).isEqualTo("/items?x=1");
    assertThat(in.method()).isEqualTo("POST");
    assertThat(Field.first(in.headers(), "x-custom")).isEqualTo("kept");
    assertThat(Field.first(in.headers(), "x-wr-namespace")).isEqualTo("inventory");
    assertThat(Field.first(in.headers(), "x-wr-module")).isEqualTo("stock");
    assertThat(Field.first(in.headers(), "x-wr-version")).isEqualTo("1.0.0");
    assertThat(in.headers().stream().filter(f -> f.name().equals("x-wr-namespace"))).hasSize(1);
    assertThat(Field.first(in.headers(), "traceparent")).isEqualTo(PARENT);
  }

  @Test
  void picksTheHighestLoadedVersionOrTheExactOneAsked() throws Exception {
    host("stock", "1.2.0", FakeModule.respond(200, "1.2.0"), LIMITS);
    host("stock", "1.10.0", FakeModule.respond(200, "1.10.0"), LIMITS);
    registry.add(HostedModule.failed("inventory", "stock", "2.0.0", "broken", LIMITS));

    IncomingResponse highest =
        ok(client.send(request("inventory.stock", List.of(), BodySource.empty())));
    IncomingResponse pinned =
        ok(
            client.send(
                request(
                    "inventory.stock",
                    List.of(Field.of("x-wr-version", "1.2.0")),
                    BodySource.empty())));
    IncomingResponse broken =
        ok(
            client.send(
                request(
                    "inventory.stock",
                    List.of(Field.of("x-wr-version", "2.0.0")),
                    BodySource.empty())));
    OutboundException missing =
        failure(
            client.send(
                request(
                    "inventory.stock",
                    List.of(Field.of("x-wr-version", "3.0.0")),
                    BodySource.empty())));

    assertThat(Bodies.text(highest.body())).isEqualTo("1.10.0");
    assertThat(Bodies.text(pinned.body())).isEqualTo("1.2.0");
    assertThat(broken.status()).isEqualTo(503);
    assertThat(Bodies.text(broken.body())).contains("\"code\":\"module_unavailable\"");
    assertThat(missing.code()).isEqualTo(HttpErrorCode.DESTINATION_NOT_FOUND);
    assertThat(missing)
        .hasMessage(
            "x-wr-version: 3.0.0 of inventory.stock matches no version hosted by this engine"
                + " (available: 2.0.0, 1.10.0, 1.2.0)");
  }

  @Test
  void aVersionRequirementPicksTheHighestMatchingServingVersionAsTheProxyDoes() throws Exception {
    host("stock", "1.2.0", FakeModule.respond(200, "1.2.0"), LIMITS);
    host("stock", "1.10.0", FakeModule.respond(200, "1.10.0"), LIMITS);
    host("stock", "2.0.0", FakeModule.respond(200, "2.0.0"), LIMITS);
    registry.add(HostedModule.failed("inventory", "stock", "1.11.0", "broken", LIMITS));

    IncomingResponse caret =
        ok(
            client.send(
                request(
                    "inventory.stock",
                    List.of(Field.of("x-wr-version", "^1.2")),
                    BodySource.empty())));
    IncomingResponse tilde =
        ok(
            client.send(
                request(
                    "inventory.stock",
                    List.of(Field.of("x-wr-version", "~1.2.0")),
                    BodySource.empty())));
    OutboundException malformed =
        failure(
            client.send(
                request(
                    "inventory.stock",
                    List.of(Field.of("x-wr-version", "latest")),
                    BodySource.empty())));

    // 1.11.0 failed to load: ^1.2 gets the highest one that serves.
    assertThat(Bodies.text(caret.body())).isEqualTo("1.10.0");
    assertThat(Bodies.text(tilde.body())).isEqualTo("1.2.0");
    assertThat(malformed.code()).isEqualTo(HttpErrorCode.HTTP_REQUEST_DENIED);
    assertThat(malformed).hasMessageStartingWith("x-wr-version: \"latest\" (expected: a semver");
  }

  @Test
  void otherDestinationsAreNotFound() {
    host("stock", "1.0.0", FakeModule.respond(200, "x"), LIMITS);

    OutboundException external =
        failure(client.send(request("api.example.com", List.of(), BodySource.empty())));
    OutboundException unknown =
        failure(client.send(request("inventory.nope", List.of(), BodySource.empty())));

    assertThat(external.code()).isEqualTo(HttpErrorCode.DESTINATION_NOT_FOUND);
    assertThat(external)
        .hasMessage(
            "no proxy configured ([node] proxy_address) and api.example.com is not hosted by this"
                + " engine");
    assertThat(unknown)
        .hasMessage(
            "no proxy configured ([node] proxy_address) and inventory.nope is not hosted by this"
                + " engine");
  }

  @Test
  void theCalleesLimitsApply() throws Exception {
    host(
        "busy",
        "1.0.0",
        (request, response) -> {
          release.await();
          FakeModule.respond(200, "done").handle(request, response);
        },
        new ModuleLimits(Duration.ofSeconds(10), 1, 0));

    CompletableFuture<IncomingResponse> first =
        client.send(request("inventory.busy", List.of(), BodySource.empty()));
    await().until(() -> registry.find("inventory", "busy", "1.0.0").activeInstances() == 1);
    IncomingResponse refused =
        ok(client.send(request("inventory.busy", List.of(), BodySource.empty())));

    assertThat(refused.status()).isEqualTo(429);
    assertThat(Field.first(refused.headers(), "retry-after")).isEqualTo("1");
    assertThat(Bodies.text(refused.body())).contains("\"code\":\"queue_full\"");
    release.countDown();
    assertThat(Bodies.text(ok(first).body())).isEqualTo("done");
  }

  @Test
  void streamsBodiesBothWays() throws Exception {
    host("echo", "1.0.0", FakeModule.echo(), LIMITS);
    long size = 1024 * 1024;

    IncomingResponse response =
        ok(client.send(request("inventory.echo", List.of(), Bodies.writing(size))));

    assertThat(Bodies.drain(response.body()))
        .containsExactly(Long.toString(size), Bodies.sha256(size));
  }

  @Test
  void requestBodyOverTheLimitFailsTheCall() throws Exception {
    AtomicReference<String> calleeSaw = new AtomicReference<>();
    host(
        "digest",
        "1.0.0",
        (request, response) -> {
          try {
            Bodies.drain(request.body());
          } catch (java.io.IOException e) {
            calleeSaw.set(e.getMessage());
            throw e;
          }
        },
        LIMITS);

    OutboundException e =
        failure(
            client.send(request("inventory.digest", List.of(), Bodies.writing(2 * 1024 * 1024))));

    assertThat(e.code()).isEqualTo(HttpErrorCode.HTTP_REQUEST_BODY_SIZE);
    assertThat(e)
        .hasMessage("the request body is larger than max_outbound_body_bytes (1048576 bytes)");
    await().untilAsserted(() -> assertThat(calleeSaw.get()).isEqualTo(e.getMessage()));
  }

  @Test
  void aFailingCalleeAnswersWithAnErrorResponse() throws Exception {
    host(
        "trap",
        "1.0.0",
        FakeModule.failing(io.wruntime.engine.module.GuestException.Kind.TRAP, "unreachable"),
        LIMITS);

    IncomingResponse response =
        ok(client.send(request("inventory.trap", List.of(), BodySource.empty())));

    assertThat(response.status()).isEqualTo(500);
    assertThat(Field.first(response.headers(), "content-type")).isEqualTo("application/json");
    assertThat(Bodies.text(response.body()))
        .isEqualTo(
            "{\"error\":\"module inventory.trap@1.0.0 trapped: unreachable\",\"code\":\"module_trap\","
                + "\"module\":\"inventory.trap@1.0.0\"}");
  }
}
