package io.wruntime.common.net;

import static java.util.Objects.requireNonNull;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * A listen or connect address {@code host:port}; IPv6 literals in brackets ({@code [::1]:9100}).
 * Port 0 asks the system for a free port when listening.
 */
public record HostPort(String host, int port) {
  /** The example address that {@link #parse(String, boolean)} names in its error messages. */
  public static final String DEFAULT_EXAMPLE = "127.0.0.1:9100";

  public HostPort {
    requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("host: \"\" (expected: a host name or IP address)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
    }
  }

  /**
   * Parses {@code host:port}, or an {@code http://host:port} URL when {@code allowHttpUrl}; errors
   * give {@value #DEFAULT_EXAMPLE} as the example.
   *
   * @throws IllegalArgumentException with a message that quotes the text and says what was expected
   * @see #parse(String, boolean, String)
   */
  public static HostPort parse(String text, boolean allowHttpUrl) {
    return parse(text, allowHttpUrl, DEFAULT_EXAMPLE);
  }

  /**
   * Parses {@code host:port}, or an {@code http://host:port} URL when {@code allowHttpUrl} (the
   * original's configs write proxy and manager addresses that way, and engines register their
   * listener so).
   *
   * @param example an address such as {@code 127.0.0.1:9001} that error messages offer as what was
   *     expected, so that they fit the setting being parsed
   * @throws IllegalArgumentException with a message that quotes the text and says what was expected
   */
  public static HostPort parse(String text, boolean allowHttpUrl, String example) {
    requireNonNull(text, "text");
    requireNonNull(example, "example");
    String expected =
        allowHttpUrl
            ? "host:port or http://host:port, e.g. " + example
            : "host:port, e.g. " + example;
    String hostPort = text;
    if (text.contains("://")) {
      if (!allowHttpUrl) {
        throw new IllegalArgumentException(
            quote(text) + " is a URL (expected: " + expected + ", without scheme)");
      }
      hostPort = authorityOfHttpUrl(text, expected);
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException(quote(text) + " has no port (expected: " + expected + ")");
    }
    String host = hostPort.substring(0, colon);
    String portText = hostPort.substring(colon + 1);
    if (host.startsWith("[")) {
      // Only an IPv6 literal goes in brackets: anything else would not print back as it parsed.
      if (!host.endsWith("]")
          || !NetUtil.isValidIpV6Address(host.substring(1, host.length() - 1))) {
        throw new IllegalArgumentException(
            quote(text) + " has a malformed IPv6 address (expected: [address]:port)");
      }
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException(
          quote(text) + " has an IPv6 address without brackets (expected: [address]:port)");
    }
    if (host.isBlank()
        || host.chars()
            .anyMatch(
                c -> Character.isWhitespace(c) || c == '/' || c == '@' || c == '[' || c == ']')) {
      throw new IllegalArgumentException(
          quote(text) + " has no valid host (expected: " + expected + ")");
    }
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          quote(text) + " has port " + portText + " (expected: a port from 0 to 65535)");
    }
    return new HostPort(host, port);
  }

  private static String authorityOfHttpUrl(String text, String expected) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          quote(text) + " is not a URL (expected: " + expected + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http")) {
      throw new IllegalArgumentException(
          quote(text) + " has scheme " + scheme + " (expected: " + expected + ")");
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          quote(text) + " has more than a host and port (expected: " + expected + ")");
    }
    return uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
  }

  /**
   * True for {@code localhost} and loopback IP literals. Other host names count as non-loopback:
   * they are not resolved, so the check cannot be fooled by DNS (and never waits on it).
   */
  public boolean isLoopback() {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** A socket address to bind or connect to (literal hosts are not looked up). */
  public InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** The same host with another port (a bound port 0 becomes the real port). */
  public HostPort withPort(int newPort) {
    return new HostPort(host, newPort);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static String quote(String text) {
    return "\"" + text + "\"";
  }
}
