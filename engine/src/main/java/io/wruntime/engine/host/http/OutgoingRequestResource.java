package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.Field;
import java.util.List;

/**
 * A {@code wasi:http/types.outgoing-request} being built: {@code GET} with no scheme, authority or
 * path until the guest sets them; its headers are fixed at construction.
 */
final class OutgoingRequestResource implements WitResource {
  private final List<Field> headers;
  private String method = "GET";
  private String scheme;
  private String authority;
  private String pathWithQuery;
  private OutgoingBodyResource body;

  OutgoingRequestResource(List<Field> headers) {
    this.headers = List.copyOf(headers);
  }

  List<Field> headers() {
    return headers;
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

  /** The body taken by {@code outgoing-request.body}, or null. */
  OutgoingBodyResource body() {
    return body;
  }

  void body(OutgoingBodyResource body) {
    this.body = body;
  }

  @Override
  public String witName() {
    return "wasi:http/types.outgoing-request";
  }
}
