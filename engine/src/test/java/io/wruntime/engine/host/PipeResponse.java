package io.wruntime.engine.host;

import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.http.ResponseSink;
import java.util.List;

/** A response whose body goes into a bounded {@link Pipe} the test reads. */
final class PipeResponse implements ResponseSink {
  final Pipe body;
  volatile int status;
  volatile List<Field> headers;
  volatile EngineError failure;
  private volatile boolean started;

  PipeResponse(int limit) {
    body = new Pipe(limit);
  }

  @Override
  public BodySink start(int status, List<Field> headers) {
    this.status = status;
    this.headers = List.copyOf(headers);
    started = true;
    return body;
  }

  @Override
  public void fail(EngineError error) {
    failure = error;
    if (started) {
      body.abort(error.message());
    }
  }

  @Override
  public boolean isStarted() {
    return started;
  }
}
