package io.wruntime.engine.host.http;

import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.IncomingRequest;

/** A {@code wasi:http/types.incoming-request}: the request the instance serves. */
final class IncomingRequestResource extends IncomingMessageResource {
  private final IncomingRequest request;

  IncomingRequestResource(IncomingRequest request) {
    this.request = request;
  }

  IncomingRequest request() {
    return request;
  }

  @Override
  BodySource body() {
    return request.body();
  }

  @Override
  public String witName() {
    return "wasi:http/types.incoming-request";
  }
}
