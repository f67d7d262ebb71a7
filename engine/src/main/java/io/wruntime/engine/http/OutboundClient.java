package io.wruntime.engine.http;

import java.util.concurrent.CompletableFuture;

/**
 * Sends a module's outgoing request. The future completes when the response head arrives, or
 * exceptionally with an {@link OutboundException} whose {@link HttpErrorCode} is what the module
 * sees as {@code wasi:http/types.error-code}.
 */
public interface OutboundClient {
  CompletableFuture<IncomingResponse> send(OutgoingRequest request);
}
