package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.IncomingResponse;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code wasi:http/types.future-incoming-response}: the pending answer of {@code
 * outgoing-handler.handle}.
 */
final class FutureIncomingResponseResource implements WitResource {
  private final CompletableFuture<IncomingResponse> future;
  private boolean taken;

  FutureIncomingResponseResource(CompletableFuture<IncomingResponse> future) {
    this.future = future;
  }

  CompletableFuture<IncomingResponse> future() {
    return future;
  }

  /** True the first time only: the result can be taken once. */
  boolean take() {
    if (taken) {
      return false;
    }
    taken = true;
    return true;
  }

  @Override
  public String witName() {
    return "wasi:http/types.future-incoming-response";
  }

  /**
   * Dropped before its result was taken: cancel the request if it is still pending, and release the
   * body of a response that arrived but nobody will read.
   */
  @Override
  public void close() {
    if (!taken) {
      taken = true;
      future.cancel(true);
      future.thenAccept(response -> response.body().discard());
    }
  }
}
