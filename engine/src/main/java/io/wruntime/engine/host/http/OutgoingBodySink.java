package io.wruntime.engine.host.http;

import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The sink behind an {@code outgoing-body}'s output-stream. Until the body is handed off ({@code
 * response-outparam.set} for a response, {@code outgoing-handler.handle} for a request) there is
 * nowhere to send bytes: up to {@link #PRE_CONNECT_LIMIT} bytes are held, and writing more fails
 * the body with a message saying to hand it off first (a guest blocking on a full buffer would
 * otherwise wait for itself forever). Once {@link #connect connected}, held bytes go out first and
 * then every write streams straight through to the real sink, with its backpressure.
 *
 * <p>A declared {@code content-length} is enforced: writing past it, or finishing short of it,
 * fails the body with {@link BodySizeException}.
 *
 * <p>Used from the instance's thread only; the real sink's listeners fire on other threads and only
 * wake polls.
 */
final class OutgoingBodySink implements BodySink {
  /** Bytes a guest may write before the body is handed off. */
  static final int PRE_CONNECT_LIMIT = 64 * 1024;

  private final String description;
  private final String handOff;
  private final HttpErrorCode sizeError;
  private final long contentLength;
  private final ByteArrayOutputStream held = new ByteArrayOutputStream();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private BodySink target;
  private long written;
  private boolean finished;
  private List<Field> trailers = List.of();
  private String failure;

  private OutgoingBodySink(
      String description, String handOff, HttpErrorCode sizeError, long contentLength) {
    this.description = description;
    this.handOff = handOff;
    this.sizeError = sizeError;
    this.contentLength = contentLength;
  }

  /** The body of an outgoing-response; {@code contentLength} is -1 when none was declared. */
  static OutgoingBodySink forResponse(long contentLength) {
    return new OutgoingBodySink(
        "outgoing response body",
        "response-outparam.set",
        HttpErrorCode.HTTP_RESPONSE_BODY_SIZE,
        contentLength);
  }

  /** The body of an outgoing-request; {@code contentLength} is -1 when none was declared. */
  static OutgoingBodySink forRequest(long contentLength) {
    return new OutgoingBodySink(
        "outgoing request body",
        "outgoing-handler.handle",
        HttpErrorCode.HTTP_REQUEST_BODY_SIZE,
        contentLength);
  }

  @Override
  public synchronized long capacity() throws IOException {
    checkOpen();
    if (target != null) {
      return target.capacity();
    }
    long room = PRE_CONNECT_LIMIT - held.size();
    if (room <= 0) {
      throw failWith(tooEarlyMessage());
    }
    return room;
  }

  @Override
  public synchronized void write(byte[] data, int offset, int length) throws IOException {
    checkOpen();
    if (contentLength >= 0 && written + length > contentLength) {
      String message =
          description
              + ": "
              + (written + length)
              + " bytes written (expected: at most the declared content-length "
              + contentLength
              + ")";
      fail(message);
      throw new BodySizeException(message, sizeError, written + length);
    }
    if (target != null) {
      written += length;
      target.write(data, offset, length);
      return;
    }
    if (held.size() + (long) length > PRE_CONNECT_LIMIT) {
      throw failWith(tooEarlyMessage());
    }
    held.write(data, offset, length);
    written += length;
  }

  @Override
  public void awaitWritable() throws InterruptedException {
    BodySink t;
    synchronized (this) {
      t = target;
    }
    if (t != null) {
      t.awaitWritable();
    }
  }

  @Override
  public synchronized boolean isWritable() {
    return target == null || target.isWritable();
  }

  @Override
  public synchronized void finish(List<Field> trailers) throws IOException {
    checkOpen();
    if (contentLength >= 0 && written != contentLength) {
      String message =
          description
              + ": finished after "
              + written
              + " bytes (expected: the declared content-length "
              + contentLength
              + ")";
      fail(message);
      throw new BodySizeException(message, sizeError, written);
    }
    finished = true;
    this.trailers = trailers == null ? List.of() : List.copyOf(trailers);
    if (target != null) {
      target.finish(this.trailers);
    }
  }

  @Override
  public void abort(String reason) {
    synchronized (this) {
      if (finished || failure != null) {
        return;
      }
      fail(reason == null ? description + " aborted" : reason);
    }
    fireAll();
  }

  @Override
  public synchronized void addListener(Runnable listener) {
    listeners.add(listener);
    if (target != null) {
      target.addListener(listener);
    }
  }

  /**
   * Hands the body to where it goes: held bytes are written, a finish or failure that happened
   * before is replayed, and from now on writes go straight through.
   */
  void connect(BodySink sink) {
    synchronized (this) {
      target = sink;
      for (Runnable listener : listeners) {
        sink.addListener(listener);
      }
      if (failure != null) {
        sink.abort(failure);
      } else {
        try {
          if (held.size() > 0) {
            byte[] bytes = held.toByteArray();
            held.reset();
            sink.write(bytes, 0, bytes.length);
          }
          if (finished) {
            sink.finish(trailers);
          }
        } catch (IOException e) {
          fail(description + " could not be sent: " + e.getMessage());
        }
      }
    }
    fireAll();
  }

  /** What the body is, e.g. "outgoing response body". */
  String description() {
    return description;
  }

  /** Why the body failed (written too early, too long, aborted), or null. */
  synchronized String failure() {
    return failure;
  }

  synchronized boolean isFinished() {
    return finished;
  }

  private void checkOpen() throws IOException {
    if (failure != null) {
      throw new IOException(failure);
    }
    if (finished) {
      throw new IOException(description + " already finished");
    }
  }

  private String tooEarlyMessage() {
    return description
        + ": more than "
        + PRE_CONNECT_LIMIT
        + " bytes written before "
        + handOff
        + " (expected: call "
        + handOff
        + " before writing more)";
  }

  private IOException failWith(String message) {
    fail(message);
    return new IOException(message);
  }

  private void fail(String message) {
    failure = message;
    held.reset();
    if (target != null) {
      target.abort(message);
    }
  }

  private void fireAll() {
    for (Runnable listener : listeners) {
      listener.run();
    }
  }

  /** A body longer or shorter than its declared {@code content-length}. */
  static final class BodySizeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final HttpErrorCode code;
    private final long size;

    BodySizeException(String message, HttpErrorCode code, long size) {
      super(message);
      this.code = code;
      this.size = size;
    }

    HttpErrorCode code() {
      return code;
    }

    long size() {
      return size;
    }
  }
}
