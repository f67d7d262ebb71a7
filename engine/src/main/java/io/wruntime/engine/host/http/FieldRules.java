package io.wruntime.engine.host.http;

import io.wruntime.engine.http.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a guest may put in {@code wasi:http} fields: names are HTTP tokens (RFC 9110 §5.1), values
 * are field values without control characters other than tab (§5.5), and the connection-level
 * headers the host manages itself are forbidden, as in wasmtime's default policy.
 */
final class FieldRules {
  /**
   * Headers a guest may not set: they describe one connection hop ({@code connection}, {@code
   * keep-alive}, {@code transfer-encoding}, ...) or the target ({@code host}, from the authority),
   * and the host's HTTP stack sets them itself. Same list as wasmtime's default.
   */
  static final Set<String> FORBIDDEN =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "transfer-encoding",
          "upgrade",
          "host",
          "http2-settings");

  private FieldRules() {}

  /** True when {@code name} is a non-empty HTTP token. */
  static boolean isValidName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isTchar(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * True when {@code value} has no control characters other than horizontal tab, and no DEL; bytes
   * 0x80..0xFF (obs-text) are allowed.
   */
  static boolean isValidValue(byte[] value) {
    for (byte b : value) {
      int c = b & 0xFF;
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return false;
      }
    }
    return true;
  }

  static boolean isForbidden(String lowerCaseName) {
    return FORBIDDEN.contains(lowerCaseName);
  }

  /** The name as fields store it: lower case, as HTTP/2 and wasmtime present names. */
  static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** {@code fields} without the forbidden headers, for what leaves the host. */
  static List<Field> withoutForbidden(List<Field> fields) {
    List<Field> out = new ArrayList<>(fields.size());
    for (Field f : fields) {
      if (!isForbidden(normalize(f.name()))) {
        out.add(f);
      }
    }
    return out;
  }

  /**
   * The {@code content-length} the fields declare: -1 when none, -2 when invalid (not a decimal
   * number, or several different values).
   */
  static long contentLength(List<Field> fields) {
    long found = -1;
    for (Field f : fields) {
      if (!normalize(f.name()).equals("content-length")) {
        continue;
      }
      String v = f.valueString().trim();
      if (v.isEmpty() || v.length() > 18) {
        return -2;
      }
      for (int i = 0; i < v.length(); i++) {
        if (!isDigit(v.charAt(i))) {
          return -2;
        }
      }
      long n = Long.parseLong(v);
      if (found >= 0 && found != n) {
        return -2;
      }
      found = n;
    }
    return found;
  }

  /** True for a method name that is an HTTP token. */
  static boolean isValidMethod(String method) {
    return isValidName(method);
  }

  /** RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), at most 64 characters. */
  static boolean isValidScheme(String scheme) {
    if (scheme.isEmpty() || scheme.length() > 64 || !isAlpha(scheme.charAt(0))) {
      return false;
    }
    for (int i = 1; i < scheme.length(); i++) {
      char c = scheme.charAt(i);
      if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') {
        return false;
      }
    }
    return true;
  }

  /**
   * An authority ({@code host[:port]}, optionally with userinfo): visible ASCII without the
   * delimiters that end an authority ({@code / ? #}), and a numeric port when one is given.
   */
  static boolean isValidAuthority(String authority) {
    if (authority.isEmpty()) {
      return false;
    }
    for (int i = 0; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (c <= 0x20 || c >= 0x7F || c == '/' || c == '?' || c == '#' || c == '\\') {
        return false;
      }
    }
    String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
    int colon = hostPort.lastIndexOf(':');
    if (colon >= 0 && !hostPort.endsWith("]")) {
      String port = hostPort.substring(colon + 1);
      if (port.length() > 5) {
        return false;
      }
      for (int i = 0; i < port.length(); i++) {
        if (!isDigit(port.charAt(i))) {
          return false;
        }
      }
    }
    return true;
  }

  /** A path with optional query: visible ASCII, no fragment. */
  static boolean isValidPathWithQuery(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= 0x20 || c >= 0x7F || c == '#') {
        return false;
      }
    }
    return true;
  }

  private static boolean isTchar(char c) {
    return isAlpha(c) || isDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  private static boolean isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
