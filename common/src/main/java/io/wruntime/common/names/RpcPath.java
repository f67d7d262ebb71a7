package io.wruntime.common.names;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The path of a generated RPC, {@code /{package}.{Service}/{Method}}: the one rule by which the
 * proxy decides what to validate against a module's schema and {@code wr-cli invoke} decides what
 * to convert from JSON. A query does not change the method it names.
 *
 * @param service the service's full protobuf name ({@code package.Service}, at least two parts)
 * @param method the method name
 */
public record RpcPath(String service, String method) {
  private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";
  private static final Pattern PATH =
      Pattern.compile("/((?:" + IDENTIFIER + "\\.)+" + IDENTIFIER + ")/(" + IDENTIFIER + ")");

  public RpcPath {
    requireNonNull(service, "service");
    requireNonNull(method, "method");
  }

  /** The RPC a request target names; empty when its path is not an RPC path. */
  public static Optional<RpcPath> parse(String pathAndQuery) {
    requireNonNull(pathAndQuery, "pathAndQuery");
    int query = pathAndQuery.indexOf('?');
    String path = query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
    Matcher matcher = PATH.matcher(path);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    return Optional.of(new RpcPath(matcher.group(1), matcher.group(2)));
  }

  @Override
  public String toString() {
    return "/" + service + "/" + method;
  }
}
