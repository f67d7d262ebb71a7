package io.wruntime.proxy.routing;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.names.Names;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where a call goes, as the calling engine wrote it in {@code x-wr-destination}: an absolute {@code
 * http} or {@code https} URI with a host of at least two labels.
 *
 * @param uri the header's value
 * @param scheme {@code http} or {@code https}
 * @param host the host, lowercase, without brackets for IPv6
 * @param port the explicit port, or -1
 * @param pathAndQuery the raw path and query to request, at least {@code /}
 */
public record Destination(String uri, String scheme, String host, int port, String pathAndQuery) {
  /** What {@code x-wr-destination} must look like, for error messages. */
  public static final String EXPECTED =
      "an absolute URI such as http://namespace.module/path, with a host of at least two labels"
          + " and no port or a port from 1 to 65535";

  public Destination {
    requireNonNull(uri, "uri");
    requireNonNull(scheme, "scheme");
    requireNonNull(host, "host");
    requireNonNull(pathAndQuery, "pathAndQuery");
  }

  /**
   * Parses the header value.
   *
   * @throws IllegalArgumentException naming the value and what was expected
   */
  public static Destination parse(String header) {
    if (header == null || header.isBlank()) {
      throw new IllegalArgumentException("is missing (expected: " + EXPECTED + ")");
    }
    URI parsed;
    try {
      parsed = new URI(header.trim());
    } catch (URISyntaxException e) {
      throw invalid(header, "is not a URI: " + e.getReason());
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw invalid(header, "is not an http or https URI");
    }
    String host = parsed.getHost();
    if (host == null || host.isEmpty()) {
      throw invalid(header, "has no host");
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (!host.contains(".") && !host.contains(":")) {
      throw invalid(header, "has the one-label host " + host);
    }
    if (parsed.getRawUserInfo() != null) {
      throw invalid(header, "carries user information");
    }
    // java.net.URI takes any number of digits as the port (DestinationFuzzTest found 90012).
    if (parsed.getPort() == 0 || parsed.getPort() > 65535) {
      throw invalid(header, "has port " + parsed.getPort() + ", which cannot be dialed");
    }
    String path =
        parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
    String pathAndQuery = parsed.getRawQuery() == null ? path : path + "?" + parsed.getRawQuery();
    return new Destination(header.trim(), scheme, host, parsed.getPort(), pathAndQuery);
  }

  private static IllegalArgumentException invalid(String header, String problem) {
    return new IllegalArgumentException(
        "\"" + header + "\" " + problem + " (expected: " + EXPECTED + ")");
  }

  /**
   * Whether the host can name a module: exactly two labels that are valid names ({@code
   * namespace.module}).
   */
  public boolean isModuleName() {
    int dot = host.indexOf('.');
    return dot > 0
        && host.indexOf('.', dot + 1) < 0
        && Names.isValid(host.substring(0, dot))
        && Names.isValid(host.substring(dot + 1));
  }

  /** The first label: the logical namespace when {@link #isModuleName()}. */
  public String namespace() {
    int dot = host.indexOf('.');
    return dot < 0 ? host : host.substring(0, dot);
  }

  /** The second label: the module name when {@link #isModuleName()}. */
  public String module() {
    int dot = host.indexOf('.');
    return dot < 0 ? "" : host.substring(dot + 1);
  }

  /** {@code host[:port]} as the Host header writes it. */
  public String authority() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return port < 0 ? h : h + ":" + port;
  }

  /** The port to connect to: the explicit one, else 80 or 443 by scheme. */
  public int effectivePort() {
    return port >= 0 ? port : scheme.equals("https") ? 443 : 80;
  }
}
