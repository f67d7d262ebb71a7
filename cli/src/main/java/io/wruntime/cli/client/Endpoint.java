package io.wruntime.cli.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where a server listens, as the CLI's address options take it: {@code http://host:port}, {@code
 * https://host:port} or a bare {@code host:port} (plain HTTP).
 *
 * @param scheme {@code http} or {@code https}
 * @param host a host name or IP address; IPv6 literals without brackets
 * @param port 1 to 65535
 */
public record Endpoint(String scheme, String host, int port) {
  static final String EXPECTED = "http://HOST:PORT, https://HOST:PORT or HOST:PORT";

  public Endpoint {
    requireNonNull(scheme, "scheme");
    requireNonNull(host, "host");
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("scheme: " + scheme + " (expected: http or https)");
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("host: \"\" (expected: a host name or IP address)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
    }
  }

  /**
   * Parses an address option's value.
   *
   * @throws IllegalArgumentException quoting the text and saying what was expected
   */
  public static Endpoint parse(String text) {
    requireNonNull(text, "text");
    String trimmed = text.trim();
    String url = trimmed.contains("://") ? trimmed : "http://" + trimmed;
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw invalid(text, "is not an address");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw invalid(text, "has scheme " + scheme);
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw invalid(text, "has more than a host and port");
    }
    if (uri.getHost() == null || uri.getPort() < 1) {
      throw invalid(text, "has no host and port");
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Endpoint(scheme, host, uri.getPort());
  }

  private static IllegalArgumentException invalid(String text, String problem) {
    return new IllegalArgumentException(
        "\"" + text + "\" " + problem + " (expected: " + EXPECTED + ")");
  }

  /** Whether the connection uses TLS. */
  public boolean tls() {
    return scheme.equals("https");
  }

  /** The base URI, without a path: {@code http://127.0.0.1:9001}. */
  public URI uri() {
    return URI.create(toString());
  }

  /** {@code scheme://host:port}, IPv6 literals in brackets. */
  @Override
  public String toString() {
    return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
