package io.wruntime.engine.dispatch;

import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.ResponseSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** A {@link ResponseSink} that keeps what it was given, for assertions. */
public final class RecordingResponse implements ResponseSink, BodySink {
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private volatile int status;
  private volatile List<Field> headers = List.of();
  private volatile boolean finished;
  private volatile String aborted;
  private volatile EngineError failed;
  private volatile boolean closeOnceAnswered;

  /**
   * Makes the client close the connection as soon as it has a whole answer: {@link #clientClosed}
   * is true from the moment the response is finished (or an error was sent in full).
   */
  public RecordingResponse closingOnceAnswered() {
    closeOnceAnswered = true;
    return this;
  }

  @Override
  public boolean clientClosed() {
    return closeOnceAnswered && finished;
  }

  @Override
  public synchronized BodySink start(int status, List<Field> headers) throws IOException {
    if (this.status != 0) {
      throw new IOException("started twice");
    }
    this.status = status;
    this.headers = List.copyOf(headers);
    return this;
  }

  @Override
  public void fail(EngineError error) {
    failed = error;
  }

  @Override
  public boolean isStarted() {
    return status != 0;
  }

  @Override
  public long capacity() throws IOException {
    check();
    return 1 << 20;
  }

  @Override
  public synchronized void write(byte[] data, int offset, int length) throws IOException {
    check();
    body.write(data, offset, length);
  }

  @Override
  public void awaitWritable() {}

  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public void finish(List<Field> trailers) throws IOException {
    check();
    finished = true;
  }

  @Override
  public void abort(String reason) {
    aborted = reason;
  }

  @Override
  public void addListener(Runnable listener) {}

  private void check() throws IOException {
    if (aborted != null) {
      throw new IOException("aborted: " + aborted);
    }
    if (finished) {
      throw new IOException("finished");
    }
  }

  /** Waits until the response finished or was aborted. */
  public RecordingResponse await() {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> finished || aborted != null);
    return this;
  }

  public int status() {
    return status;
  }

  public String header(String name) {
    return Field.first(headers, name);
  }

  public synchronized String bodyText() {
    return body.toString(StandardCharsets.UTF_8);
  }

  public boolean finished() {
    return finished;
  }

  public String aborted() {
    return aborted;
  }

  public EngineError failed() {
    return failed;
  }
}
