package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.IncomingResponse;

/** A {@code wasi:http/types.incoming-response}: the answer to an outgoing request. */
final class IncomingResponseResource implements WitResource {
  private final IncomingResponse response;
  private boolean consumed;

  IncomingResponseResource(IncomingResponse response) {
    this.response = response;
  }

  IncomingResponse response() {
    return response;
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
    return "wasi:http/types.incoming-response";
  }

  /** Dropped without taking the body: the sender may stop. */
  @Override
  public void close() {
    if (!consumed) {
      consumed = true;
      response.body().discard();
    }
  }
}
