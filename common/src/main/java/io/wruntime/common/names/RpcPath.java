package io.wruntime.common.names;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
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
    int end = query < 0 ? pathAndQuery.length() : query;
    // /((IDENTIFIER\.)+IDENTIFIER)/(IDENTIFIER), matched by hand: the proxy parses every request's
    // path, and the pattern (kept in PATH for reference and tests) allocates a matcher each time.
    if (end < 1 || pathAndQuery.charAt(0) != '/') {
      return Optional.empty();
    }
    int slash = pathAndQuery.indexOf('/', 1);
    if (slash < 0 || slash >= end) {
      return Optional.empty();
    }
    int parts = 0;
    int start = 1;
    for (int i = 1; i <= slash; i++) {
      if (i == slash || pathAndQuery.charAt(i) == '.') {
        if (!isIdentifier(pathAndQuery, start, i)) {
          return Optional.empty();
        }
        parts++;
        start = i + 1;
      }
    }
    if (parts < 2 || !isIdentifier(pathAndQuery, slash + 1, end)) {
      return Optional.empty();
    }
    return Optional.of(
        new RpcPath(pathAndQuery.substring(1, slash), pathAndQuery.substring(slash + 1, end)));
  }

  /** Whether {@code s[from, to)} is a non-empty IDENTIFIER. */
  private static boolean isIdentifier(String s, int from, int to) {
    if (from >= to) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
      if (!letter && (i == from || c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code path} (no query) matches the RPC path pattern; the reference for tests. */
  static boolean matchesPattern(String path) {
    return PATH.matcher(path).matches();
  }

  @Override
  public String toString() {
    return "/" + service + "/" + method;
  }
}
