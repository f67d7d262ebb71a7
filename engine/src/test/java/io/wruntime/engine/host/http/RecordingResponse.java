package io.wruntime.engine.host.http;

import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.http.ResponseSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A response sink that keeps what the module answered; its body is read by the test. */
final class RecordingResponse implements ResponseSink {
  private final Pipe body = new Pipe();
  private final StringBuilder received = new StringBuilder();
  private volatile int status;
  private volatile List<Field> headers;
  private volatile EngineError error;
  private volatile boolean bodyEnded;
  private volatile String bodyFailure;

  @Override
  public synchronized BodySink start(int status, List<Field> headers) {
    this.status = status;
    this.headers = List.copyOf(headers);
    return body.sink();
  }

  @Override
  public void fail(EngineError error) {
    this.error = error;
  }

  @Override
  public boolean isStarted() {
    return headers != null;
  }

  int status() {
    return status;
  }

  String header(String name) {
    return headers == null ? null : Field.first(headers, name);
  }

  List<Field> headers() {
    return headers;
  }

  EngineError error() {
    return error;
  }

  /** Reads what arrived of the body so far; the whole of it once {@link #bodyEnded()}. */
  synchronized String bodySoFar() {
    try {
      while (!bodyEnded && bodyFailure == null) {
        byte[] chunk = body.source().read(65536);
        if (chunk == null) {
          bodyEnded = true;
        } else if (chunk.length == 0) {
          break;
        } else {
          received.append(new String(chunk, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      bodyFailure = e.getMessage();
    }
    return received.toString();
  }

  boolean bodyEnded() {
    bodySoFar();
    return bodyEnded;
  }

  String bodyFailure() {
    bodySoFar();
    return bodyFailure;
  }

  /** The whole body, once it ended. */
  String body() {
    if (!bodyEnded()) {
      throw new UncheckedIOException(new IOException("body has not ended"));
    }
    return received.toString();
  }
}
