package io.wruntime.engine.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingResponse;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.OutgoingRequest;
import io.wruntime.engine.http.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class OutgoingCallCapTest {
  private final List<CompletableFuture<IncomingResponse>> sent = new ArrayList<>();
  private final OutboundClient upstream =
      request -> {
        CompletableFuture<IncomingResponse> f = new CompletableFuture<>();
        sent.add(f);
        return f;
      };

  private static OutgoingRequest call() {
    return new OutgoingRequest(
        "GET",
        "http",
        "example.echo",
        "/",
        List.of(),
        BodySource.empty(),
        null,
        null,
        null,
        new OutgoingRequest.Caller("example", "caller", "1.0.0", null));
  }

  private static HttpErrorCode refusal(OutboundClient calls) {
    try {
      calls.send(call());
    } catch (OutboundException e) {
      return e.code();
    }
    return null;
  }

  @Test
  void aCallEndsWhenItFailsOrItsBodyEndsIsDiscardedOrItIsCancelled() throws Exception {
    OutboundClient calls = new OutgoingCallCap(upstream, 2, 100).forRequest();
    CompletableFuture<IncomingResponse> first = calls.send(call());
    CompletableFuture<IncomingResponse> second = calls.send(call());
    assertThat(refusal(calls)).isEqualTo(HttpErrorCode.CONNECTION_LIMIT_REACHED);

    sent.get(0).completeExceptionally(new OutboundException(HttpErrorCode.DNS_ERROR, "x"));
    assertThat(first).isCompletedExceptionally();
    CompletableFuture<IncomingResponse> third = calls.send(call());
    assertThat(refusal(calls)).isEqualTo(HttpErrorCode.CONNECTION_LIMIT_REACHED);

    // A response holds its slot until its body is read to the end.
    sent.get(1).complete(new IncomingResponse(200, List.of(), BodySource.empty()));
    assertThat(refusal(calls)).isEqualTo(HttpErrorCode.CONNECTION_LIMIT_REACHED);
    assertThat(second.join().body().read(10)).isNull();
    CompletableFuture<IncomingResponse> fourth = calls.send(call());

    // Discarding a body, or dropping the future (cancel), frees the slot too.
    sent.get(2).complete(new IncomingResponse(200, List.of(), new Pipe().source()));
    third.join().body().discard();
    CompletableFuture<IncomingResponse> fifth = calls.send(call());
    fourth.cancel(true);
    assertThat(sent.get(3)).isCancelled();
    calls.send(call());
    assertThat(refusal(calls)).isEqualTo(HttpErrorCode.CONNECTION_LIMIT_REACHED);
    assertThat(fifth).isNotDone();
  }

  @Test
  void theTotalIsCountedPerRequest() {
    OutgoingCallCap cap = new OutgoingCallCap(upstream, 1, 3);
    OutboundClient calls = cap.forRequest();
    for (int i = 0; i < 3; i++) {
      calls.send(call());
      sent.get(i).completeExceptionally(new OutboundException(HttpErrorCode.DNS_ERROR, "x"));
    }

    assertThatThrownBy(() -> calls.send(call()))
        .isInstanceOf(OutboundException.class)
        .hasMessage(
            "example.caller@1.0.0 made 3 outgoing calls for this request, the most [limits]"
                + " outgoing_calls_total = 3 allows")
        .extracting(e -> ((OutboundException) e).code())
        .isEqualTo(HttpErrorCode.HTTP_REQUEST_DENIED);
    assertThat(sent).hasSize(3);
    cap.forRequest().send(call());
    assertThat(sent).hasSize(4);
  }
}
