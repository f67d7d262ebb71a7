package io.wruntime.common.net;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The URL rules the engine's configuration enforces, in one place so that the operator can check a
 * WasmModule against the same rules before it renders an engine configuration.
 */
public final class HttpUrls {
  private HttpUrls() {}

  /**
   * Null when {@code value} is an http(s) URL with a host and no user info, query or fragment (a
   * service endpoint), else what is wrong with it ("is not an http(s) URL", ...).
   */
  public static String endpointProblem(String value) {
    try {
      URI uri = new URI(value);
      if (uri.getRawUserInfo() != null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        return "has user info, a query or a fragment";
      }
      String scheme = uri.getScheme();
      if (scheme != null
          && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          && uri.getHost() != null) {
        return null;
      }
      return "is not an http(s) URL";
    } catch (URISyntaxException e) {
      return "is not a valid URL (" + e.getReason() + ")";
    }
  }

  /**
   * Null when {@code value} is where a module binary may be fetched from: an https URL with a host,
   * or http to a loopback host; else what is wrong with it.
   */
  public static String moduleUrlProblem(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      return "is not a URL (" + e.getReason() + ")";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("https") && uri.getHost() != null) {
      return null;
    }
    if (scheme.equals("http") && uri.getHost() != null && isLoopbackHost(uri.getHost())) {
      return null;
    }
    return "is not an https:// URL (expected: https://, or http:// on loopback such as"
        + " http://127.0.0.1:8080/echo.wasm)";
  }

  /** {@code localhost}, or a loopback IP literal (brackets allowed). */
  public static boolean isLoopbackHost(String host) {
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (bare.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      return new HostPort(bare, 0).isLoopback();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
