package io.wruntime.engine.http;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * A request a module sends through {@code wasi:http/outgoing-handler}. The body streams in as the
 * module writes it.
 *
 * @param connectTimeout, firstByteTimeout, betweenBytesTimeout null when the module set none
 * @param caller the module that sends it (for the {@code x-wr-source*} headers)
 */
public record OutgoingRequest(
    String method,
    String scheme,
    String authority,
    String pathWithQuery,
    List<Field> headers,
    BodySource body,
    Duration connectTimeout,
    Duration firstByteTimeout,
    Duration betweenBytesTimeout,
    Caller caller) {
  public OutgoingRequest {
    requireNonNull(method, "method");
    requireNonNull(pathWithQuery, "pathWithQuery");
    headers = List.copyOf(requireNonNull(headers, "headers"));
    requireNonNull(body, "body");
    requireNonNull(caller, "caller");
  }

  /** The calling module, and the trace context to propagate (null when none). */
  public record Caller(String namespace, String module, String version, String traceparent) {}
}
