package io.wruntime.engine.http;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** The response to an {@link OutgoingRequest}, its body still streaming. */
public record IncomingResponse(int status, List<Field> headers, BodySource body) {
  public IncomingResponse {
    headers = List.copyOf(requireNonNull(headers, "headers"));
    requireNonNull(body, "body");
  }
}
