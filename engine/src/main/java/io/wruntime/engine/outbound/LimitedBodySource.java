package io.wruntime.engine.outbound;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.ForwardingBodySource;
import java.io.IOException;

/**
 * A body that fails once more than {@code limit} bytes were read from it ({@code
 * max_outbound_body_bytes}): the reader sees an {@link IOException}, the writer's side is discarded
 * and {@code onExceeded} runs once.
 */
final class LimitedBodySource extends ForwardingBodySource {
  private final long limit;
  private final Runnable onExceeded;
  private long read;
  private IOException failure;

  LimitedBodySource(BodySource delegate, long limit, Runnable onExceeded) {
    super(delegate);
    this.limit = limit;
    this.onExceeded = requireNonNull(onExceeded, "onExceeded");
  }

  static String message(long limit) {
    return "the request body is larger than max_outbound_body_bytes (" + limit + " bytes)";
  }

  @Override
  public synchronized byte[] read(int max) throws IOException {
    if (failure != null) {
      throw failure;
    }
    byte[] data = delegate.read(max);
    if (data != null && data.length > 0) {
      read += data.length;
      if (read > limit) {
        failure = new IOException(message(limit));
        delegate.discard();
        onExceeded.run();
        throw failure;
      }
    }
    return data;
  }
}
