package io.wruntime.engine.host.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.io.ErrorResource;
import io.wruntime.engine.host.io.InputStreamResource;
import io.wruntime.engine.host.io.OutputStreamResource;
import io.wruntime.engine.host.io.PollableResource;
import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.IncomingResponse;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.OutgoingRequest;
import io.wruntime.engine.http.Pipe;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RequestResponseAbiTest {
  private final AtomicReference<OutgoingRequest> sent = new AtomicReference<>();
  private final CompletableFuture<IncomingResponse> answer = new CompletableFuture<>();
  private final AbiFixture abi =
      new AbiFixture(
          request -> {
            sent.set(request);
            return answer;
          });
  private final RecordingResponse response = new RecordingResponse();

  @Test
  void incomingRequestLowersMethodSchemeAndOptionalStrings() {
    int[] handles = bind(new IncomingRequest("PATCH", "HTTPS", null, "/p?q", List.of(), empty()));

    abi.call("[method]incoming-request.method", handles[0], 64);
    assertThat(abi.u8(64)).isEqualTo(8);
    abi.call("[method]incoming-request.scheme", handles[0], 64);
    assertThat(abi.u8(64)).isEqualTo(1);
    assertThat(abi.u8(68)).isEqualTo(1);
    abi.call("[method]incoming-request.authority", handles[0], 64);
    assertThat(abi.u8(64)).isZero();
    abi.call("[method]incoming-request.path-with-query", handles[0], 64);
    assertThat(abi.u8(64)).isEqualTo(1);
    assertThat(abi.stringAt(68)).isEqualTo("/p?q");
  }

  @Test
  void otherMethodsAndSchemesCarryTheirName() {
    int[] handles =
        bind(new IncomingRequest("PROPFIND", "ftp", "files.local", "/", List.of(), empty()));

    abi.call("[method]incoming-request.method", handles[0], 64);
    assertThat(abi.u8(64)).isEqualTo(9);
    assertThat(abi.stringAt(68)).isEqualTo("PROPFIND");
    abi.call("[method]incoming-request.scheme", handles[0], 64);
    assertThat(abi.u8(64)).isEqualTo(1);
    assertThat(abi.u8(68)).isEqualTo(2);
    assertThat(abi.stringAt(72)).isEqualTo("ftp");
  }

  @Test
  void requestHeadersAreAnImmutableCopyAndTheBodyIsConsumedOnce() {
    int[] handles =
        bind(
            new IncomingRequest(
                "GET", "http", "a", "/", List.of(Field.of("X-Trace", "t1")), empty()));

    int headers = abi.callInt("[method]incoming-request.headers", handles[0]);
    abi.put(512, "x-more");
    abi.put(600, "1");
    abi.call("[method]fields.append", headers, 512, 6, 600, 1, 128);
    assertThat(abi.u8(128)).isEqualTo(1);
    assertThat(abi.u8(129)).isEqualTo(HeaderError.IMMUTABLE.ordinal());

    abi.call("[method]incoming-request.consume", handles[0], 64);
    assertThat(abi.u8(64)).isZero();
    abi.call("[method]incoming-request.consume", handles[0], 64);
    assertThat(abi.u8(64)).isEqualTo(1);
  }

  @Test
  void bodyEndAndTrailersArriveThroughFutureTrailers() throws IOException {
    Pipe body = new Pipe();
    int[] handles = bind(new IncomingRequest("POST", "http", "a", "/", List.of(), body.source()));
    abi.call("[method]incoming-request.consume", handles[0], 64);
    int incomingBody = abi.i32(68);
    abi.call("[method]incoming-body.stream", incomingBody, 64);
    assertThat(abi.u8(64)).isZero();
    InputStreamResource stream =
        abi.ctx.resources().get(abi.i32(68), InputStreamResource.class, "input-stream");
    assertThat(stream.source()).isSameAs(body.source());
    abi.call("[method]incoming-body.stream", incomingBody, 64);
    assertThat(abi.u8(64)).isEqualTo(1);

    int future = abi.callInt("[static]incoming-body.finish", incomingBody);
    PollableResource ready =
        abi.ctx
            .resources()
            .get(
                abi.callInt("[method]future-trailers.subscribe", future),
                PollableResource.class,
                "p");
    abi.call("[method]future-trailers.get", future, 128);
    assertThat(abi.u8(128)).isZero();
    assertThat(ready.isReady()).isFalse();

    body.write("unread".getBytes(UTF_8), 0, 6);
    body.finish(List.of(Field.of("X-Checksum", "abc")));

    assertThat(ready.isReady()).isTrue();
    abi.call("[method]future-trailers.get", future, 128);
    assertThat(abi.u8(128)).isEqualTo(1);
    assertThat(abi.u8(136)).isZero();
    assertThat(abi.u8(144)).isZero();
    assertThat(abi.u8(152)).isEqualTo(1);
    int trailers = abi.i32(156);
    abi.call("[method]fields.entries", trailers, 64);
    assertThat(abi.stringAt(abi.i32(64))).isEqualTo("x-checksum");
    abi.call("[method]future-trailers.get", future, 128);
    assertThat(abi.u8(128)).isEqualTo(1);
    assertThat(abi.u8(136)).isEqualTo(1);
  }

  @Test
  void responseHeadIsSentAtSetAndItsBodyStreamsFromThen() throws IOException {
    int[] handles = bind(get());
    int out = abi.callInt("[constructor]outgoing-response", abi.fields("x-a", "1"));
    assertThat(abi.callInt("[method]outgoing-response.set-status-code", out, 99)).isEqualTo(1);
    assertThat(abi.callInt("[method]outgoing-response.set-status-code", out, 404)).isZero();
    assertThat(abi.callInt("[method]outgoing-response.status-code", out)).isEqualTo(404);
    BodySink sink = responseBody(out);
    write(sink, "before ");
    assertThat(response.isStarted()).isFalse();

    abi.call("[static]response-outparam.set", handles[1], 0, out, 0, 0, 0, 0, 0, 0);

    assertThat(abi.ctx.responseSet()).isTrue();
    assertThat(response.status()).isEqualTo(404);
    assertThat(response.header("x-a")).isEqualTo("1");
    assertThat(response.bodySoFar()).isEqualTo("before ");
    write(sink, "after");
    assertThat(response.bodySoFar()).isEqualTo("before after");
    assertThat(response.bodyEnded()).isFalse();
    abi.call("[static]outgoing-body.finish", bodyHandle, 0, 0, 64);
    assertThat(abi.u8(64)).isZero();
    assertThat(response.bodyEnded()).isTrue();
  }

  @Test
  void writingTooMuchBeforeSetFailsTheResponseCleanly() throws IOException {
    int[] handles = bind(get());
    int out = abi.callInt("[constructor]outgoing-response", abi.fields());
    BodySink sink = responseBody(out);
    byte[] chunk = new byte[(int) sink.capacity()];
    sink.write(chunk, 0, chunk.length);

    assertThatThrownBy(sink::capacity)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("before response-outparam.set");
    abi.call("[static]response-outparam.set", handles[1], 0, out, 0, 0, 0, 0, 0, 0);

    assertThat(response.isStarted()).isFalse();
    assertThat(response.error().status()).isEqualTo(500);
    assertThat(response.error().code()).isEqualTo("MODULE_BODY_FAILED");
  }

  @Test
  void droppingTheBodyWithoutFinishAbortsIt() throws IOException {
    int[] handles = bind(get());
    int out = abi.callInt("[constructor]outgoing-response", abi.fields());
    BodySink sink = responseBody(out);
    abi.call("[static]response-outparam.set", handles[1], 0, out, 0, 0, 0, 0, 0, 0);
    write(sink, "partial");

    abi.call("[resource-drop]outgoing-body", bodyHandle);

    assertThat(response.bodyFailure()).contains("without outgoing-body.finish");
  }

  @Test
  void bodyShorterThanItsContentLengthFailsFinishWithBodySize() throws IOException {
    int[] handles = bind(get());
    int out = abi.callInt("[constructor]outgoing-response", abi.fields("content-length", "5"));
    BodySink sink = responseBody(out);
    abi.call("[static]response-outparam.set", handles[1], 0, out, 0, 0, 0, 0, 0, 0);
    write(sink, "abc");

    abi.call("[static]outgoing-body.finish", bodyHandle, 0, 0, 64);

    assertThat(abi.u8(64)).isEqualTo(1);
    assertThat(abi.u8(72)).isEqualTo(HttpErrorCode.HTTP_RESPONSE_BODY_SIZE.ordinal());
    assertThat(response.bodyFailure()).contains("content-length 5");
  }

  @Test
  void setTwiceIsAnAbiViolation() {
    int[] handles = bind(get());
    int[] second = WasiHttp.bindIncoming(abi.ctx);
    abi.call("[static]response-outparam.set", handles[1], 1, 38, 0, 0, 0, 0, 0, 0);

    assertThatThrownBy(
            () -> abi.call("[static]response-outparam.set", handles[1], 1, 38, 0, 0, 0, 0, 0, 0))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("not a live");
    assertThatThrownBy(
            () -> abi.call("[static]response-outparam.set", second[1], 1, 38, 0, 0, 0, 0, 0, 0))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("second time");
    assertThat(response.error().status()).isEqualTo(500);
  }

  @Test
  void outgoingRequestSettersValidateWhatTheyAreGiven() {
    int req = abi.callInt("[constructor]outgoing-request", abi.fields("x-a", "1"));
    abi.call("[method]outgoing-request.method", req, 64);
    assertThat(abi.u8(64)).isZero();

    abi.put(512, "bad method");
    assertThat(abi.callInt("[method]outgoing-request.set-method", req, 9, 512, 10)).isEqualTo(1);
    assertThatThrownBy(() -> abi.call("[method]outgoing-request.set-method", req, 10, 0, 0))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("discriminant 10");
    abi.put(512, "PURGE");
    assertThat(abi.callInt("[method]outgoing-request.set-method", req, 9, 512, 5)).isZero();
    abi.call("[method]outgoing-request.method", req, 64);
    assertThat(abi.u8(64)).isEqualTo(9);
    assertThat(abi.stringAt(68)).isEqualTo("PURGE");

    abi.put(512, "a b");
    assertThat(abi.callInt("[method]outgoing-request.set-authority", req, 1, 512, 3)).isEqualTo(1);
    abi.put(512, "git+ssh");
    assertThat(abi.callInt("[method]outgoing-request.set-scheme", req, 1, 2, 512, 7)).isZero();
    abi.call("[method]outgoing-request.scheme", req, 64);
    assertThat(abi.u8(68)).isEqualTo(2);
    assertThat(abi.stringAt(72)).isEqualTo("git+ssh");
    assertThat(abi.callInt("[method]outgoing-request.set-path-with-query", req, 0, 0, 0)).isZero();
    abi.call("[method]outgoing-request.path-with-query", req, 64);
    assertThat(abi.u8(64)).isZero();

    int headers = abi.callInt("[method]outgoing-request.headers", req);
    abi.put(512, "x-a");
    abi.call("[method]fields.get", headers, 512, 3, 64);
    assertThat(abi.i32(68)).isEqualTo(1);
  }

  @Test
  void requestOptionsKeepTheirTimeouts() {
    int options = abi.callInt("[constructor]request-options");

    assertThat(
            abi.callInt("[method]request-options.set-connect-timeout", options, 1, 5_000_000_000L))
        .isZero();

    abi.call("[method]request-options.connect-timeout", options, 64);
    assertThat(abi.u8(64)).isEqualTo(1);
    assertThat(abi.i64(72)).isEqualTo(5_000_000_000L);
    abi.call("[method]request-options.first-byte-timeout", options, 64);
    assertThat(abi.u8(64)).isZero();
  }

  @Test
  void handleReturnsAFutureThatBecomesReadyWithTheErrorCode() {
    bind(get());
    int req = abi.callInt("[constructor]outgoing-request", abi.fields());
    abi.put(512, "billing.api");
    abi.call("[method]outgoing-request.set-authority", req, 1, 512, 11);

    abi.callIn(WasiHttp.OUTGOING_HANDLER, "handle", req, 0, 0, 64);

    assertThat(abi.u8(64)).isZero();
    int future = abi.i32(72);
    assertThat(sent.get().authority()).isEqualTo("billing.api");
    assertThat(sent.get().pathWithQuery()).isEqualTo("/");
    PollableResource ready =
        abi.ctx
            .resources()
            .get(
                abi.callInt("[method]future-incoming-response.subscribe", future),
                PollableResource.class,
                "pollable");
    abi.call("[method]future-incoming-response.get", future, 128);
    assertThat(abi.u8(128)).isZero();
    assertThat(ready.isReady()).isFalse();
    long generation = abi.ctx.readiness().generation();

    answer.completeExceptionally(new OutboundException(HttpErrorCode.CONNECTION_REFUSED, "no"));

    assertThat(ready.isReady()).isTrue();
    assertThat(abi.ctx.readiness().generation()).isGreaterThan(generation);
    abi.call("[method]future-incoming-response.get", future, 128);
    assertThat(abi.bytes(128, 25))
        .containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 6);
    abi.call("[method]future-incoming-response.get", future, 128);
    assertThat(abi.u8(128)).isEqualTo(1);
    assertThat(abi.u8(136)).isEqualTo(1);
  }

  @Test
  void handleWithoutAuthorityIsAnInvalidUri() {
    bind(get());
    int req = abi.callInt("[constructor]outgoing-request", abi.fields());

    abi.callIn(WasiHttp.OUTGOING_HANDLER, "handle", req, 0, 0, 64);

    assertThat(abi.u8(64)).isEqualTo(1);
    assertThat(abi.u8(72)).isEqualTo(HttpErrorCode.HTTP_REQUEST_URI_INVALID.ordinal());
    assertThat(sent.get()).isNull();
  }

  @Test
  void responseOfAnOutgoingRequestIsReadOnce() {
    bind(get());
    int req = abi.callInt("[constructor]outgoing-request", abi.fields());
    abi.put(512, "billing.api");
    abi.call("[method]outgoing-request.set-authority", req, 1, 512, 11);
    abi.callIn(WasiHttp.OUTGOING_HANDLER, "handle", req, 0, 0, 64);
    answer.complete(new IncomingResponse(418, List.of(Field.of("X-Up", "1")), empty()));

    abi.call("[method]future-incoming-response.get", abi.i32(72), 128);

    assertThat(abi.bytes(128, 17))
        .containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    int incoming = abi.i32(152);
    assertThat(abi.callInt("[method]incoming-response.status", incoming)).isEqualTo(418);
    int headers = abi.callInt("[method]incoming-response.headers", incoming);
    abi.put(512, "x-up");
    assertThat(abi.callInt("[method]fields.has", headers, 512, 4)).isEqualTo(1);
    abi.call("[method]incoming-response.consume", incoming, 64);
    assertThat(abi.u8(64)).isZero();
    abi.call("[method]incoming-response.consume", incoming, 64);
    assertThat(abi.u8(64)).isEqualTo(1);
  }

  @Test
  void httpErrorCodeReadsTheCodeOfAStreamError() {
    int withCode =
        abi.ctx.resources().add(new ErrorResource("slow", HttpErrorCode.CONNECTION_READ_TIMEOUT));
    int without = abi.ctx.resources().add(new ErrorResource("plain", null));

    abi.call("http-error-code", withCode, 64);
    assertThat(abi.u8(64)).isEqualTo(1);
    assertThat(abi.u8(72)).isEqualTo(HttpErrorCode.CONNECTION_READ_TIMEOUT.ordinal());
    abi.call("http-error-code", without, 64);
    assertThat(abi.u8(64)).isZero();
    assertThatThrownBy(() -> abi.call("http-error-code", withCode, 68))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("not aligned to 8");
  }

  private int bodyHandle;

  /** Takes the response's body and its output-stream; returns the stream's sink. */
  private BodySink responseBody(int outgoingResponse) {
    abi.call("[method]outgoing-response.body", outgoingResponse, 64);
    assertThat(abi.u8(64)).isZero();
    bodyHandle = abi.i32(68);
    abi.call("[method]outgoing-response.body", outgoingResponse, 64);
    assertThat(abi.u8(64)).isEqualTo(1);
    abi.call("[method]outgoing-body.write", bodyHandle, 64);
    assertThat(abi.u8(64)).isZero();
    return abi.ctx.resources().get(abi.i32(68), OutputStreamResource.class, "output-stream").sink();
  }

  private int[] bind(IncomingRequest request) {
    abi.ctx.bindRequest(request, response);
    return WasiHttp.bindIncoming(abi.ctx);
  }

  private static IncomingRequest get() {
    return new IncomingRequest("GET", "http", "a", "/", List.of(), empty());
  }

  private static BodySource empty() {
    return BodySource.empty();
  }

  private static void write(BodySink sink, String text) throws IOException {
    byte[] bytes = text.getBytes(UTF_8);
    sink.write(bytes, 0, bytes.length);
  }
}
