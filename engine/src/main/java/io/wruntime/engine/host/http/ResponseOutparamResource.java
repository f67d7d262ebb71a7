package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;

/**
 * A {@code wasi:http/types.response-outparam}: where the instance's response goes. It stands for
 * the instance context's response sink; {@code response-outparam.set} consumes it.
 */
final class ResponseOutparamResource implements WitResource {
  @Override
  public String witName() {
    return "wasi:http/types.response-outparam";
  }
}
