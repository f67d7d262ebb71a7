package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.IncomingRequest;

/** A {@code wasi:http/types.incoming-request}: the request the instance serves. */
final class IncomingRequestResource implements WitResource {
  private final IncomingRequest request;
  private boolean consumed;

  IncomingRequestResource(IncomingRequest request) {
    this.request = request;
  }

  IncomingRequest request() {
    return request;
  }

  /** True the first time only: the body can be taken once. */
  boolean consume() {
    if (consumed) {
      return false;
    }
    consumed = true;
    return true;
  }

  @Override
  public String witName() {
    return "wasi:http/types.incoming-request";
  }

  @Override
  public void close() {
    if (!consumed) {
      consumed = true;
      request.body().discard();
    }
  }
}
