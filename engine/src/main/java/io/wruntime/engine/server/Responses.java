package io.wruntime.engine.server;

import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.ResponseSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Whole responses written through a {@link ResponseSink} in one go. */
public final class Responses {
  private Responses() {}

  /**
   * Sends a complete response with a known length. The sink never blocks a writer (capacity is
   * advisory), so this is safe on an event loop.
   */
  public static void sendFull(
      ResponseSink response, int status, String contentType, byte[] body, List<Field> extra)
      throws IOException {
    List<Field> headers = new ArrayList<>(extra.size() + 2);
    headers.add(Field.of("content-type", contentType));
    headers.add(Field.of("content-length", Integer.toString(body.length)));
    headers.addAll(extra);
    BodySink sink = response.start(status, headers);
    sink.write(body, 0, body.length);
    sink.finish(List.of());
  }

  /** Sends an engine error as JSON, with {@code Retry-After} when the error carries one. */
  public static void sendError(ResponseSink response, EngineError error, String module)
      throws IOException {
    List<Field> extra =
        error.retryAfter() == null
            ? List.of()
            : List.of(
                Field.of(
                    "retry-after",
                    Long.toString(Math.max(1, (error.retryAfter().toMillis() + 999) / 1000))));
    sendFull(
        response, error.status(), ErrorJson.CONTENT_TYPE, ErrorJson.render(error, module), extra);
  }
}
