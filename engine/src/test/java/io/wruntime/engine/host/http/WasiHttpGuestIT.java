package io.wruntime.engine.host.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.IncomingResponse;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.OutgoingRequest;
import io.wruntime.engine.http.Pipe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Guests compiled from C ({@code src/test/guests/http}) against hand-written Canonical ABI
 * declarations, run on Chicory with the wasi:http host: the request reaches them, their responses
 * stream out, their outgoing requests reach the outbound client and its answers come back.
 */
@Timeout(60)
class WasiHttpGuestIT {
  private static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  @Test
  void echoGuestSeesTheRequestAndStreamsItsBodyBackAsItArrives() throws Exception {
    Pipe requestBody = new Pipe();
    IncomingRequest request =
        new IncomingRequest(
            "POST",
            "http",
            "echo.test",
            "/items/7?q=1",
            List.of(Field.of("X-Test", "hello"), Field.of("traceparent", TRACEPARENT)),
            requestBody.source());
    RecordingResponse response = new RecordingResponse();

    CompletableFuture<Void> run = serve("echo", request, response, GuestInstance.noOutbound());

    await().until(response::isStarted);
    assertThat(response.status()).isEqualTo(201);
    assertThat(response.header("x-method")).isEqualTo("POST");
    assertThat(response.header("x-path")).isEqualTo("/items/7?q=1");
    assertThat(response.header("x-authority")).isEqualTo("echo.test");
    assertThat(response.header("x-test")).isEqualTo("hello");
    assertThat(response.header("content-type")).isEqualTo("text/plain");
    // invalid name, forbidden name, immutable request headers, invalid value
    assertThat(response.header("x-header-errors")).isEqualTo("0,1,2,0");
    assertThat(response.header("connection")).isNull();

    write(requestBody, "one");
    await().until(() -> response.bodySoFar().equals("echo:one"));
    write(requestBody, "two");
    await().until(() -> response.bodySoFar().equals("echo:oneecho:two"));
    assertThat(response.bodyEnded()).isFalse();

    requestBody.finish(List.of());
    await().until(response::bodyEnded);
    assertThat(response.body()).isEqualTo("echo:oneecho:two");
    run.get(10, TimeUnit.SECONDS);
    assertThat(response.error()).isNull();
  }

  @Test
  void bodyWrittenAndFinishedBeforeSetIsSentWhenSetIsCalled() throws Exception {
    RecordingResponse response = new RecordingResponse();

    serve("echo", get("/early"), response, GuestInstance.noOutbound()).get(10, TimeUnit.SECONDS);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.bodyEnded()).isTrue();
    assertThat(response.body()).isEqualTo("written before set");
  }

  @Test
  void errorCodeSetByTheGuestBecomesAnEngineErrorNamingIt() throws Exception {
    RecordingResponse denied = new RecordingResponse();
    serve("echo", get("/fail"), denied, GuestInstance.noOutbound()).get(10, TimeUnit.SECONDS);
    assertThat(denied.isStarted()).isFalse();
    assertThat(denied.error().status()).isEqualTo(403);
    assertThat(denied.error().code()).isEqualTo("MODULE_ERROR");
    assertThat(denied.error().message()).contains("test.echo@1.0.0", "http-request-denied");

    RecordingResponse internal = new RecordingResponse();
    serve("echo", get("/fail-internal"), internal, GuestInstance.noOutbound())
        .get(10, TimeUnit.SECONDS);
    assertThat(internal.error().status()).isEqualTo(500);
    assertThat(internal.error().message()).contains("internal-error (custom failure)");
  }

  @Test
  void outOfBoundsPointerIsAnAbiViolationNamingTheArgument() {
    RecordingResponse response = new RecordingResponse();

    assertThatThrownBy(
            () ->
                serve("echo", get("/oob"), response, GuestInstance.noOutbound())
                    .get(10, TimeUnit.SECONDS))
        .rootCause()
        .isInstanceOf(AbiViolation.class)
        .hasMessageStartingWith("name: ")
        .hasMessageContaining("outside guest memory");
  }

  @Test
  void outgoingRequestReachesTheClientAndItsResponseReachesTheGuest() throws Exception {
    AtomicReference<OutgoingRequest> seen = new AtomicReference<>();
    CompletableFuture<String> bodySeen = new CompletableFuture<>();
    OutboundClient client =
        request -> {
          seen.set(request);
          return CompletableFuture.supplyAsync(
              () -> {
                bodySeen.complete(readAll(request.body()));
                return new IncomingResponse(
                    207, List.of(Field.of("x-upstream", "1")), completed("pong"));
              },
              threads);
        };
    RecordingResponse response = new RecordingResponse();

    serve("client", get("/"), response, client).get(10, TimeUnit.SECONDS);

    OutgoingRequest sent = seen.get();
    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.scheme()).isEqualTo("http");
    assertThat(sent.authority()).isEqualTo("billing.api");
    assertThat(sent.pathWithQuery()).isEqualTo("/charge?x=1");
    assertThat(Field.first(sent.headers(), "x-req")).isEqualTo("1");
    assertThat(Field.first(sent.headers(), "content-type")).isEqualTo("text/plain");
    assertThat(sent.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(sent.firstByteTimeout()).isNull();
    assertThat(sent.caller())
        .isEqualTo(new OutgoingRequest.Caller("test", "client", "1.0.0", TRACEPARENT));
    assertThat(bodySeen.get(5, TimeUnit.SECONDS)).isEqualTo("hello upstream");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("status=207 body=pong");
  }

  @Test
  void errorCodeOfTheOutboundClientReachesTheGuest() throws Exception {
    assertThat(answerOf(failingWith(HttpErrorCode.CONNECTION_REFUSED, "refused")))
        .isEqualTo("error-code=6");
    assertThat(answerOf(failingWith(HttpErrorCode.HTTP_RESPONSE_TIMEOUT, "slow")))
        .isEqualTo("error-code=33");
    assertThat(answerOf(failingWith(HttpErrorCode.INTERNAL_ERROR, "upstream exploded")))
        .isEqualTo("error-code=38 upstream exploded");
  }

  @Test
  void clientThatRefusesAtOnceGivesTheGuestAnErrorFromHandle() throws Exception {
    OutboundClient client =
        request -> {
          throw new OutboundException(HttpErrorCode.DESTINATION_NOT_FOUND, "no route");
        };

    assertThat(answerOf(client)).isEqualTo("error-code=2");
  }

  private String answerOf(OutboundClient client) throws Exception {
    RecordingResponse response = new RecordingResponse();
    serve("client", get("/"), response, client).get(10, TimeUnit.SECONDS);
    assertThat(response.status()).isEqualTo(502);
    return response.body();
  }

  private OutboundClient failingWith(HttpErrorCode code, String message) {
    return request ->
        CompletableFuture.supplyAsync(
            () -> {
              readAll(request.body());
              throw new OutboundException(code, message);
            },
            threads);
  }

  private CompletableFuture<Void> serve(
      String guest, IncomingRequest request, RecordingResponse response, OutboundClient client) {
    InstanceContext ctx = GuestInstance.context(guest, client);
    return CompletableFuture.runAsync(
        () -> GuestInstance.load(guest, ctx).handle(request, response), threads);
  }

  private static IncomingRequest get(String path) {
    return new IncomingRequest(
        "GET",
        "http",
        "test.local",
        path,
        List.of(Field.of("traceparent", TRACEPARENT)),
        BodySource.empty());
  }

  private static BodySource completed(String text) {
    Pipe pipe = new Pipe();
    try {
      write(pipe, text);
      pipe.finish(List.of());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return pipe.source();
  }

  private static void write(Pipe pipe, String text) throws IOException {
    byte[] bytes = text.getBytes(UTF_8);
    pipe.write(bytes, 0, bytes.length);
  }

  private static String readAll(BodySource body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      while (true) {
        body.awaitReadable();
        byte[] chunk = body.read(65536);
        if (chunk == null) {
          return out.toString(UTF_8);
        }
        out.write(chunk);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
