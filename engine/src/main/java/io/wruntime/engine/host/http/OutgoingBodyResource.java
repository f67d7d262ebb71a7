package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;

/**
 * A {@code wasi:http/types.outgoing-body}: written once through an output-stream, then finished
 * (with optional trailers). Dropped without finish, the body is aborted: the receiver sees a failed
 * body, never a truncated one that looks complete.
 */
final class OutgoingBodyResource implements WitResource {
  private final OutgoingBodySink sink;
  private boolean streamTaken;

  OutgoingBodyResource(OutgoingBodySink sink) {
    this.sink = sink;
  }

  OutgoingBodySink sink() {
    return sink;
  }

  /** True the first time only: the stream can be taken once. */
  boolean takeStream() {
    if (streamTaken) {
      return false;
    }
    streamTaken = true;
    return true;
  }

  @Override
  public String witName() {
    return "wasi:http/types.outgoing-body";
  }

  @Override
  public void close() {
    if (!sink.isFinished()) {
      sink.abort("outgoing body dropped without outgoing-body.finish");
    }
  }
}
