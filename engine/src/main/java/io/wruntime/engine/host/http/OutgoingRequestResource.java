package io.wruntime.engine.host.http;

import io.wruntime.engine.http.Field;
import java.util.List;

/**
 * A {@code wasi:http/types.outgoing-request} being built: {@code GET} with no scheme, authority or
 * path until the guest sets them; its headers are fixed at construction.
 */
final class OutgoingRequestResource extends OutgoingMessageResource {
  private String method = "GET";
  private String scheme;
  private String authority;
  private String pathWithQuery;

  OutgoingRequestResource(List<Field> headers) {
    super(headers);
  }

  String method() {
    return method;
  }

  void method(String method) {
    this.method = method;
  }

  String scheme() {
    return scheme;
  }

  void scheme(String scheme) {
    this.scheme = scheme;
  }

  String authority() {
    return authority;
  }

  void authority(String authority) {
    this.authority = authority;
  }

  String pathWithQuery() {
    return pathWithQuery;
  }

  void pathWithQuery(String pathWithQuery) {
    this.pathWithQuery = pathWithQuery;
  }

  @Override
  public String witName() {
    return "wasi:http/types.outgoing-request";
  }
}
