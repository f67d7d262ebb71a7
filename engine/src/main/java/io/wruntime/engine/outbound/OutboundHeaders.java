package io.wruntime.engine.outbound;

import io.wruntime.common.http.WrHeaders;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.OutgoingRequest;
import io.wruntime.engine.server.HttpFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The headers the engine sends for a module's outgoing request. */
final class OutboundHeaders {
  private OutboundHeaders() {}

  /**
   * The module's own headers that go on: without {@code x-wr-*} (routing headers are the engine's
   * to set, never a module's), hop-by-hop headers, {@code host}, {@code content-length} (framing is
   * the engine's) and {@code traceparent} (the host injects the trace context).
   */
  static List<Field> fromModule(List<Field> headers) {
    return fromModule(headers, false);
  }

  /**
   * The module's own headers that go to the proxy: as {@link #fromModule}, but a module's {@code
   * x-wr-version} stays. It is the caller's semver requirement on the destination's version
   * (ARCHITECTURE §4), which the proxy resolves and validates (malformed: 400); every other {@code
   * x-wr-*} header is the engine's or the proxy's to set.
   */
  static List<Field> toProxy(List<Field> headers) {
    return fromModule(headers, true);
  }

  private static List<Field> fromModule(List<Field> headers, boolean keepVersion) {
    List<Field> out = new ArrayList<>(headers.size() + 6);
    for (Field f : headers) {
      String name = f.name().toLowerCase(Locale.ROOT);
      if (keepVersion && name.equals(WrHeaders.VERSION)) {
        out.add(f);
        continue;
      }
      if (WrHeaders.isWrHeader(name)
          || HttpFields.isHopByHop(name)
          || name.equals("host")
          || name.equals("content-length")
          || name.equals(WrHeaders.TRACEPARENT)) {
        continue;
      }
      out.add(f);
    }
    return out;
  }

  /** {@code scheme://authority/path?query} of the original request. */
  static String destination(OutgoingRequest request) {
    String scheme = request.scheme() == null ? "http" : request.scheme();
    String path = request.pathWithQuery().isEmpty() ? "/" : request.pathWithQuery();
    return scheme + "://" + request.authority() + (path.startsWith("/") ? path : "/" + path);
  }

  /** {@code namespace.module} of the caller. */
  static String source(OutgoingRequest.Caller caller) {
    return caller.namespace() + "." + caller.module();
  }

  /**
   * The declared content length, -1 when none.
   *
   * @throws IllegalArgumentException when it is not a non-negative integer
   */
  static long contentLength(List<Field> headers) {
    String value = Field.first(headers, "content-length");
    if (value == null) {
      return -1;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "content-length: " + value + " (expected: a non-negative integer)");
  }
}
