package io.wruntime.benchmarks;

import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.http.ResponseSink;
import java.util.List;

/** Keeps a guest's response in memory (the benchmarks' bodies are small). */
final class CollectingResponse implements ResponseSink {
  final Pipe body = new Pipe(1 << 20);
  int status;
  boolean started;

  @Override
  public BodySink start(int status, List<Field> headers) {
    this.status = status;
    this.started = true;
    return body;
  }

  @Override
  public void fail(EngineError error) {
    throw new IllegalStateException("the guest failed: " + error);
  }

  @Override
  public boolean isStarted() {
    return started;
  }
}
