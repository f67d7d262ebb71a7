package io.wruntime.engine.dispatch;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.ResponseSink;
import io.wruntime.engine.server.Responses;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The response of one dispatched request, between the module and the transport. It makes the
 * module's response and the engine's errors (a deadline firing on a timer thread, a trap)
 * exclusive: whichever comes first wins, the other is refused or ignored; and it remembers how the
 * exchange ended, for the log line and the metrics.
 */
final class DispatchResponse implements ResponseSink {
  private enum State {
    NEW,
    STARTED,
    FINISHED,
    FAILED
  }

  private final ResponseSink transport;
  private final String module;
  private final ReentrantLock lock = new ReentrantLock();
  private State state = State.NEW;
  private BodySink body;
  private int status;
  private EngineError error;
  private boolean answeredWhileClientThere;

  DispatchResponse(ResponseSink transport, String module) {
    this.transport = requireNonNull(transport, "transport");
    this.module = module;
  }

  @Override
  public BodySink start(int status, List<Field> headers) throws IOException {
    lock.lock();
    try {
      if (state != State.NEW) {
        throw new IOException(
            error != null
                ? "the request already ended: " + error.message()
                : "the response was already started");
      }
      BodySink started = transport.start(status, headers);
      this.status = status;
      this.body = new TrackingSink(started);
      state = State.STARTED;
      return body;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void fail(EngineError error) {
    requireNonNull(error, "error");
    lock.lock();
    try {
      switch (state) {
        case NEW -> {
          answeredWhileClientThere = !transport.clientClosed();
          this.error = error;
          this.status = error.status();
          state = State.FAILED;
          try {
            Responses.sendError(transport, error, module);
          } catch (IOException e) {
            transport.fail(error);
          }
        }
        case STARTED -> {
          this.error = error;
          state = State.FAILED;
          ((TrackingSink) body).delegate.abort(error.message());
        }
        case FINISHED, FAILED -> {}
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isStarted() {
    lock.lock();
    try {
      return state == State.STARTED || state == State.FINISHED;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean clientClosed() {
    return transport.clientClosed();
  }

  /**
   * True when the module failed before starting its response and the client was still connected
   * then: the engine answered with the error, and the failure is the module's even if the client
   * closed the connection right after reading that answer.
   */
  boolean errorAnsweredWhileClientThere() {
    lock.lock();
    try {
      return answeredWhileClientThere;
    } finally {
      lock.unlock();
    }
  }

  /** True once the response head was sent (by the module or as an error). */
  boolean headSent() {
    lock.lock();
    try {
      return state != State.NEW;
    } finally {
      lock.unlock();
    }
  }

  /** True while the module's response body is still open. */
  boolean bodyOpen() {
    lock.lock();
    try {
      return state == State.STARTED;
    } finally {
      lock.unlock();
    }
  }

  /** The status sent (the module's or the error's), or 0 when nothing was sent. */
  int status() {
    lock.lock();
    try {
      return status;
    } finally {
      lock.unlock();
    }
  }

  /** The error the exchange ended with, or null when the module's response went through. */
  EngineError error() {
    lock.lock();
    try {
      return error;
    } finally {
      lock.unlock();
    }
  }

  /** Marks the body ended by the module: cleanly, or aborted with a reason. */
  private void bodyEnded(String abortReason) {
    lock.lock();
    try {
      if (state != State.STARTED) {
        return;
      }
      if (abortReason == null) {
        state = State.FINISHED;
      } else {
        state = State.FAILED;
        error =
            new EngineError(
                status,
                "response_aborted",
                "module " + module + " aborted its response body: " + abortReason);
      }
    } finally {
      lock.unlock();
    }
  }

  private final class TrackingSink implements BodySink {
    private final BodySink delegate;

    TrackingSink(BodySink delegate) {
      this.delegate = delegate;
    }

    @Override
    public long capacity() throws IOException {
      return delegate.capacity();
    }

    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
      delegate.write(data, offset, length);
    }

    @Override
    public void awaitWritable() throws InterruptedException {
      delegate.awaitWritable();
    }

    @Override
    public boolean isWritable() {
      return delegate.isWritable();
    }

    @Override
    public void finish(List<Field> trailers) throws IOException {
      lock.lock();
      try {
        if (state != State.STARTED) {
          throw new IOException(
              error != null ? "the request already ended: " + error.message() : "body finished");
        }
        delegate.finish(trailers);
        bodyEnded(null);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void abort(String reason) {
      delegate.abort(reason);
      bodyEnded(reason == null ? "aborted" : reason);
    }

    @Override
    public void addListener(Runnable listener) {
      delegate.addListener(listener);
    }
  }
}
