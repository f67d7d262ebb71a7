package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.Field;
import java.util.List;
import java.util.function.LongFunction;

/**
 * What {@code outgoing-request} and {@code outgoing-response} share: headers fixed at construction
 * and a body taken once.
 */
abstract class OutgoingMessageResource implements WitResource {
  private final List<Field> headers;
  private OutgoingBodyResource body;

  OutgoingMessageResource(List<Field> headers) {
    this.headers = List.copyOf(headers);
  }

  final List<Field> headers() {
    return headers;
  }

  /** The body taken by the message's {@code body} method, or null. */
  final OutgoingBodyResource body() {
    return body;
  }

  /**
   * For the message's {@code body} method: the body, writing to the sink {@code sink} makes for the
   * headers' content-length (-1 where none); null where it was taken before or the content-length
   * is invalid.
   */
  final OutgoingBodyResource takeBody(LongFunction<OutgoingBodySink> sink) {
    long contentLength = FieldRules.contentLength(headers);
    if (body != null || contentLength < -1) {
      return null;
    }
    body = new OutgoingBodyResource(sink.apply(contentLength));
    return body;
  }
}
