package io.wruntime.engine.http;

import java.util.concurrent.CompletableFuture;

/**
 * Sends a module's outgoing request. The future completes when the response head arrives, or
 * exceptionally with an {@link OutboundException} whose {@link HttpErrorCode} is what the module
 * sees as {@code wasi:http/types.error-code}.
 */
public interface OutboundClient {
  CompletableFuture<IncomingResponse> send(OutgoingRequest request);

  /**
   * The client the instance serving one request sends through: this one, unless the client keeps
   * per-request state (the engine's caps on outgoing calls per request).
   */
  default OutboundClient forRequest() {
    return this;
  }
}
