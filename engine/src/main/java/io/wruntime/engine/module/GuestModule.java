package io.wruntime.engine.module;

import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.ResponseSink;

/** A loaded, compiled module. Thread-safe: every call runs in a fresh instance. */
public interface GuestModule {
  ModuleDefinition definition();

  /**
   * The most linear memory one instance may grow to, in bytes: what the engine reserves in its
   * memory budget while an instance runs. The definition's limit unless the module declares less.
   */
  default long maxMemoryBytes() {
    return definition().maxMemoryBytes();
  }

  /**
   * Handles one request in a fresh instance on the calling thread (a guest thread), through the
   * module's {@code wasi:http/incoming-handler#handle} export. Returns when the handler returned.
   * Interrupting the thread stops the instance (deadlines).
   *
   * <p>When the handler returns without having set a response, or fails, an exception says why; the
   * caller answers the request with an error (or resets it when the response had started).
   *
   * @throws GuestException the module trapped, broke the ABI, was interrupted, or set no response
   */
  void handle(IncomingRequest request, ResponseSink response) throws GuestException;
}
