package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.Field;
import java.util.List;

/**
 * A {@code wasi:http/types.outgoing-response} being built: status 200 until set; its headers are
 * fixed at construction.
 */
final class OutgoingResponseResource implements WitResource {
  private final List<Field> headers;
  private int status = 200;
  private OutgoingBodyResource body;

  OutgoingResponseResource(List<Field> headers) {
    this.headers = List.copyOf(headers);
  }

  List<Field> headers() {
    return headers;
  }

  int status() {
    return status;
  }

  void status(int status) {
    this.status = status;
  }

  /** The body taken by {@code outgoing-response.body}, or null. */
  OutgoingBodyResource body() {
    return body;
  }

  void body(OutgoingBodyResource body) {
    this.body = body;
  }

  @Override
  public String witName() {
    return "wasi:http/types.outgoing-response";
  }
}
