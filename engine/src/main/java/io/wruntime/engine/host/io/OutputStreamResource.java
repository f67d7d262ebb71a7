package io.wruntime.engine.host.io;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.BodySink;

/** A {@code wasi:io/streams.output-stream} writing to a {@link BodySink}. */
public final class OutputStreamResource implements WitResource {
  private final BodySink sink;
  private final String description;

  /** {@code description} says what the stream writes, e.g. "outgoing response body". */
  public OutputStreamResource(BodySink sink, String description) {
    this.sink = requireNonNull(sink, "sink");
    this.description = requireNonNull(description, "description");
  }

  public BodySink sink() {
    return sink;
  }

  public String description() {
    return description;
  }

  @Override
  public String witName() {
    return "wasi:io/streams.output-stream";
  }
}
