package io.wruntime.engine.server;

import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.ResponseSink;

/**
 * Takes requests from the HTTP server. Called on a Netty event loop as soon as a request head
 * arrived (the body still streaming in): it must not block, so real work moves to another thread.
 */
@FunctionalInterface
public interface RequestHandler {
  void handle(IncomingRequest request, ResponseSink response);
}
