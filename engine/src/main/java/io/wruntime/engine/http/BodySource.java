package io.wruntime.engine.http;

import java.io.IOException;
import java.util.List;

/**
 * A body being received, pulled by its reader with backpressure: the producer delivers more only as
 * the reader consumes. Implementations are thread-safe for one reader and one producer.
 */
public interface BodySource {
  /**
   * Returns up to {@code max} bytes available now without blocking: a non-empty array, an empty
   * array when nothing has arrived yet, or {@code null} once the whole body was read.
   *
   * @throws IOException when the body failed (the peer reset, a limit was exceeded)
   */
  byte[] read(int max) throws IOException;

  /** Blocks until {@link #read} would return data, the end or a failure. */
  void awaitReadable() throws InterruptedException;

  /** True when {@link #read} would return data, the end or a failure without blocking. */
  boolean isReadable();

  /** The trailers, once the end was reached; empty when there were none. */
  List<Field> trailers();

  /** The reader wants no more; the producer stops and releases what it holds. */
  void discard();

  /**
   * Adds a callback fired whenever readiness may have changed (wasi:io pollables use it to wake
   * up). It runs on the other side's thread and must not block.
   */
  void addListener(Runnable listener);

  /** An empty body. */
  static BodySource empty() {
    return Pipe.completed();
  }
}
