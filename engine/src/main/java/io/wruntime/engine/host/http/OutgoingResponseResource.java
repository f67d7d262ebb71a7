package io.wruntime.engine.host.http;

import io.wruntime.engine.http.Field;
import java.util.List;

/**
 * A {@code wasi:http/types.outgoing-response} being built: status 200 until set; its headers are
 * fixed at construction.
 */
final class OutgoingResponseResource extends OutgoingMessageResource {
  private int status = 200;

  OutgoingResponseResource(List<Field> headers) {
    super(headers);
  }

  int status() {
    return status;
  }

  void status(int status) {
    this.status = status;
  }

  @Override
  public String witName() {
    return "wasi:http/types.outgoing-response";
  }
}
