package io.wruntime.engine.host.http;

import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.IncomingResponse;

/** A {@code wasi:http/types.incoming-response}: the answer to an outgoing request. */
final class IncomingResponseResource extends IncomingMessageResource {
  private final IncomingResponse response;

  IncomingResponseResource(IncomingResponse response) {
    this.response = response;
  }

  IncomingResponse response() {
    return response;
  }

  @Override
  BodySource body() {
    return response.body();
  }

  @Override
  public String witName() {
    return "wasi:http/types.incoming-response";
  }
}
