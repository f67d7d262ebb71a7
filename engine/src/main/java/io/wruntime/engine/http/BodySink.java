package io.wruntime.engine.http;

import java.io.IOException;
import java.util.List;

/**
 * A body being sent, pushed by its writer with backpressure: {@link #capacity()} says how much may
 * be written without blocking, as wasi:io's {@code check-write} does.
 */
public interface BodySink {
  /**
   * Bytes that may be written now without overrunning the consumer; 0 while it is behind.
   *
   * @throws IOException when the consumer failed or went away
   */
  long capacity() throws IOException;

  /** Writes bytes; the writer keeps within {@link #capacity()} (more is accepted, not blocked). */
  void write(byte[] data, int offset, int length) throws IOException;

  /** Blocks until {@link #capacity()} is positive or the sink failed. */
  void awaitWritable() throws InterruptedException;

  /** True when {@link #capacity()} would be positive or throw, without blocking. */
  boolean isWritable();

  /** Ends the body, with optional trailers. */
  void finish(List<Field> trailers) throws IOException;

  /** Ends the body abnormally; the consumer sees a failure, not a clean end. */
  void abort(String reason);

  /**
   * Adds a callback fired whenever readiness may have changed (wasi:io pollables use it to wake
   * up). It runs on the other side's thread and must not block.
   */
  void addListener(Runnable listener);
}
