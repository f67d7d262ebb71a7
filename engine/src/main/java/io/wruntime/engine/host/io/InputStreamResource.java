package io.wruntime.engine.host.io;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.BodySource;

/** A {@code wasi:io/streams.input-stream} reading from a {@link BodySource}. */
public final class InputStreamResource implements WitResource {
  private final BodySource source;
  private final String description;

  /** {@code description} says what the stream reads, e.g. "incoming request body". */
  public InputStreamResource(BodySource source, String description) {
    this.source = requireNonNull(source, "source");
    this.description = requireNonNull(description, "description");
  }

  public BodySource source() {
    return source;
  }

  public String description() {
    return description;
  }

  @Override
  public String witName() {
    return "wasi:io/streams.input-stream";
  }
}
