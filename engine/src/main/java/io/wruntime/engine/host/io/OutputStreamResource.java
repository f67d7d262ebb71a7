package io.wruntime.engine.host.io;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.host.abi.Readiness;
import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.BodySink;

/**
 * A {@code wasi:io/streams.output-stream} writing to a {@link BodySink}. Dropping the stream
 * neither finishes nor aborts the body: that is the job of whoever created the stream (e.g. {@code
 * outgoing-body.finish}, or its drop).
 */
public final class OutputStreamResource implements WitResource {
  private final BodySink sink;
  private final String description;
  private boolean watched;
  private boolean closed;
  private long permit;

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

  /** Registers the instance's wake-up with the body, once, so a poll notices freed capacity. */
  public void watch(Readiness readiness) {
    if (!watched) {
      watched = true;
      sink.addListener(readiness::wake);
    }
  }

  /** True once an operation failed: every later operation reports {@code closed}. */
  public boolean isClosed() {
    return closed;
  }

  public void markClosed() {
    closed = true;
  }

  /**
   * Records what {@code check-write} permits: the next writes may use up to {@code bytes} in all,
   * whatever the sink's capacity does meanwhile (a channel's writability changes on its event loop,
   * not only with this stream's writes).
   *
   * @return {@code bytes}
   */
  public long grant(long bytes) {
    permit = bytes;
    return bytes;
  }

  /** What the last {@code check-write} permitted, less what was written since. */
  public long permit() {
    return permit;
  }

  /** Takes {@code bytes} (at most {@link #permit()}) from the permit. */
  public void consume(long bytes) {
    permit -= bytes;
  }

  /** What a pollable of this stream checks: a write would be accepted, or fail, now. */
  public boolean isReady() {
    return closed || sink.isWritable();
  }

  @Override
  public String witName() {
    return "wasi:io/streams.output-stream";
  }
}
