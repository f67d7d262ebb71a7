package io.wruntime.common.http;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The headers that belong to one connection rather than to the message (RFC 9110 §7.6.1): every hop
 * removes them, and the headers a {@code Connection} header names, before it forwards a message.
 * The one list of the engine and the proxy.
 */
public final class HopByHop {
  /** Connection-scoped headers, lowercase: never forwarded. */
  public static final Set<String> NAMES =
      Set.of("connection", "keep-alive", "proxy-connection", "te", "upgrade");

  /**
   * Framing of an HTTP/1.1 message ({@code transfer-encoding}, {@code trailer}): a hop that
   * re-frames the body (the engine) sets them itself; one that forwards the body as it came (the
   * proxy) keeps them. A {@code Connection} header cannot remove them, nor {@code content-length}.
   */
  public static final Set<String> FRAMING = Set.of("transfer-encoding", "trailer");

  private HopByHop() {}

  /** True for a connection-scoped header ({@link #NAMES}). */
  public static boolean isConnectionScoped(CharSequence name) {
    return NAMES.contains(name.toString().toLowerCase(Locale.ROOT));
  }

  /**
   * The header names the {@code Connection} header values list, lowercase, without framing and
   * {@code content-length}: these are removed along with {@link #NAMES}.
   */
  public static Set<String> nominated(Iterable<String> connectionValues) {
    requireNonNull(connectionValues, "connectionValues");
    Set<String> names = new LinkedHashSet<>();
    for (String value : connectionValues) {
      for (String token : value.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty() && !FRAMING.contains(name) && !name.equals("content-length")) {
          names.add(name);
        }
      }
    }
    return names;
  }
}
