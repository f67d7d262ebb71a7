package io.wruntime.engine.host.io;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.host.abi.Readiness;
import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.BodySource;

/**
 * A {@code wasi:io/streams.input-stream} reading from a {@link BodySource}. Dropping the stream
 * releases nothing: the body belongs to whoever created the stream (e.g. an {@code incoming-body}),
 * which discards it when it is dropped itself.
 */
public final class InputStreamResource implements WitResource {
  private final BodySource source;
  private final String description;
  private boolean watched;
  private boolean closed;

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

  /**
   * Registers the instance's wake-up with the body, once, so a poll on this stream notices new
   * data.
   */
  public void watch(Readiness readiness) {
    if (!watched) {
      watched = true;
      source.addListener(readiness::wake);
    }
  }

  /** True once a read reported the end or a failure: every later read reports {@code closed}. */
  public boolean isClosed() {
    return closed;
  }

  public void markClosed() {
    closed = true;
  }

  /** What a pollable of this stream checks: data, the end or a failure can be read now. */
  public boolean isReady() {
    return closed || source.isReadable();
  }

  @Override
  public String witName() {
    return "wasi:io/streams.input-stream";
  }
}
