package io.wruntime.engine.http;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A request delivered to a module's {@code incoming-handler}. */
public record IncomingRequest(
    String method,
    String scheme,
    String authority,
    String pathWithQuery,
    List<Field> headers,
    BodySource body) {
  public IncomingRequest {
    requireNonNull(method, "method");
    requireNonNull(pathWithQuery, "pathWithQuery");
    headers = List.copyOf(requireNonNull(headers, "headers"));
    requireNonNull(body, "body");
  }
}
