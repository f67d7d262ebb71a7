package io.wruntime.cli.invoke;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.names.Names;
import io.wruntime.common.names.RpcPath;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where {@code invoke} sends a request: the URL that goes into {@code x-wr-destination}.
 *
 * @param uri the URL as given ({@code http://example.echo/echo.EchoService/Echo})
 * @param namespace the host's first label when the host is {@code namespace.module}, else null
 * @param module the host's second label when the host is {@code namespace.module}, else null
 */
public record Destination(URI uri, String namespace, String module) {
  static final String EXPECTED =
      "an http URL such as http://example.echo/echo.EchoService/Echo (NAMESPACE.MODULE as host)";

  public Destination {
    requireNonNull(uri, "uri");
  }

  /**
   * Parses {@code --destination}.
   *
   * @throws IllegalArgumentException quoting the text and saying what was expected
   */
  public static Destination parse(String text) {
    requireNonNull(text, "text");
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a URL (expected: " + EXPECTED + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "\"" + text + "\" has no http or https scheme (expected: " + EXPECTED + ")");
    }
    String host = uri.getHost();
    if (host == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "\"" + text + "\" has no plain host (expected: " + EXPECTED + ")");
    }
    String[] labels = host.split("\\.", -1);
    if (labels.length < 2) {
      throw new IllegalArgumentException(
          "\""
              + text
              + "\" has a one-label host (expected: NAMESPACE.MODULE or an external host name)");
    }
    if (labels.length == 2
        && uri.getPort() == -1
        && Names.isValid(labels[0])
        && Names.isValid(labels[1])) {
      return new Destination(uri, labels[0], labels[1]);
    }
    return new Destination(uri, null, null);
  }

  /** Whether the host names a module ({@code namespace.module}) rather than an external host. */
  public boolean isModule() {
    return namespace != null;
  }

  /** Path and query as sent on the request line: {@code /} when the URL has no path. */
  public String pathWithQuery() {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }

  /**
   * The path when it is that of a generated RPC ({@code /pkg.Service/Method}; {@link RpcPath}, the
   * rule the proxy validates by), without the query.
   */
  public Optional<String> rpcPath() {
    return RpcPath.parse(pathWithQuery()).map(RpcPath::toString);
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
