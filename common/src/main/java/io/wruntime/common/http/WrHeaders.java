package io.wruntime.common.http;

/** The {@code x-wr-*} routing headers (ARCHITECTURE §4). Names are lowercase, as on the wire. */
public final class WrHeaders {
  public static final String PREFIX = "x-wr-";

  /** Full original URI of an intercepted outbound call, set by the calling engine. */
  public static final String DESTINATION = "x-wr-destination";

  /** {@code namespace.module} of the calling module (metadata, never authorization). */
  public static final String SOURCE = "x-wr-source";

  /** Logical namespace of the calling module. */
  public static final String SOURCE_NS = "x-wr-source-ns";

  /** Target module name, set by the proxy for the engine's dispatch. */
  public static final String MODULE = "x-wr-module";

  /** Target logical namespace, set by the proxy for the engine's dispatch. */
  public static final String NAMESPACE = "x-wr-namespace";

  /** Resolved version at the engine; a semver requirement when a caller sets it. */
  public static final String VERSION = "x-wr-version";

  /** Set to {@code 1} on traffic between proxies. */
  public static final String VIA_PROXY = "x-wr-via-proxy";

  /** W3C trace context header, injected by the host. */
  public static final String TRACEPARENT = "traceparent";

  private WrHeaders() {}

  public static boolean isWrHeader(CharSequence name) {
    return name.length() >= PREFIX.length()
        && PREFIX.regionMatches(true, 0, name.toString(), 0, PREFIX.length());
  }
}
