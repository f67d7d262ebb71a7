package io.wruntime.engine.http;

import java.io.IOException;
import java.util.List;

/** Where a module's response goes: the head once, then the body through the returned sink. */
public interface ResponseSink {
  /** Sends the status and headers; the body follows through the returned sink. */
  BodySink start(int status, List<Field> headers) throws IOException;

  /**
   * Answers with an error instead of a module response. Before {@link #start} the caller gets the
   * error's status and JSON body; after it the response is cut short (the connection is reset).
   */
  void fail(EngineError error);

  /** True once {@link #start} was called. */
  boolean isStarted();

  /**
   * True once whoever asked went away (the client closed its connection, the calling module dropped
   * the response): a response that fails to go out after that is not the module's failure.
   */
  default boolean clientClosed() {
    return false;
  }
}
