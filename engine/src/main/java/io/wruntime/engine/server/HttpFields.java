package io.wruntime.engine.server;

import io.netty.handler.codec.http.HttpHeaders;
import io.wruntime.engine.http.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Conversions between Netty headers and {@link Field} lists. */
public final class HttpFields {
  /**
   * Connection-level headers (RFC 9110 §7.6.1): they describe one hop, so they are neither shown to
   * modules nor copied from them; the engine sets framing itself.
   */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "te",
          "trailer",
          "upgrade");

  private HttpFields() {}

  /** True for headers that belong to one connection, not to the message. */
  public static boolean isHopByHop(String name) {
    return HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT));
  }

  /** All entries except hop-by-hop ones; values as the bytes received (ISO-8859-1). */
  public static List<Field> fromHeaders(HttpHeaders headers) {
    if (headers.isEmpty()) {
      return List.of();
    }
    List<Field> out = new ArrayList<>(headers.size());
    for (Map.Entry<String, String> e : headers) {
      if (!isHopByHop(e.getKey())) {
        out.add(
            new Field(
                e.getKey().toLowerCase(Locale.ROOT),
                e.getValue().getBytes(StandardCharsets.ISO_8859_1)));
      }
    }
    return List.copyOf(out);
  }

  /** Adds {@code fields} except hop-by-hop ones and those {@code skip} names. */
  public static void addTo(HttpHeaders headers, List<Field> fields, Set<String> skip) {
    for (Field f : fields) {
      String name = f.name().toLowerCase(Locale.ROOT);
      if (!isHopByHop(name) && !skip.contains(name)) {
        headers.add(f.name(), f.valueString());
      }
    }
  }
}
