package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.BodySource;

/** What {@code incoming-request} and {@code incoming-response} share: a body taken once. */
abstract class IncomingMessageResource implements WitResource {
  private boolean consumed;

  /** The message's body. */
  abstract BodySource body();

  /** True the first time only: the body can be taken once. */
  final boolean consume() {
    if (consumed) {
      return false;
    }
    consumed = true;
    return true;
  }

  /** Dropped without taking the body: the sender may stop. */
  @Override
  public final void close() {
    if (!consumed) {
      consumed = true;
      body().discard();
    }
  }
}
