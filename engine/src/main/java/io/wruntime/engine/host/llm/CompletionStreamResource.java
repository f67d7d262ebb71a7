package io.wruntime.engine.host.llm;

import io.wruntime.engine.host.abi.WitResource;

/** A {@code wruntime:llm/inference.completion-stream}: one streamed completion of a request. */
final class CompletionStreamResource implements WitResource {
  static final String WIT = "wruntime:llm/inference.completion-stream";

  private final LlmStream stream;
  private final OpenStreams owner;
  private boolean closed;

  CompletionStreamResource(LlmStream stream, OpenStreams owner) {
    this.stream = stream;
    this.owner = owner;
  }

  LlmStream stream() {
    return stream;
  }

  @Override
  public String witName() {
    return WIT;
  }

  /** Ends the HTTP exchange (a drop, or the end of the request) and frees its slot of the cap. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stream.close();
    owner.open--;
  }

  /** The streams a request has open, against its cap ({@code [limits] llm_streams}). */
  static final class OpenStreams {
    int open;
  }
}
