package io.wruntime.engine.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.wruntime.common.http.HopByHop;
import io.wruntime.engine.http.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Conversions between Netty headers and {@link Field} lists. */
public final class HttpFields {
  private HttpFields() {}

  /**
   * True for headers that belong to one connection, not to the message ({@link HopByHop}): they are
   * neither shown to modules nor copied from them; the engine sets the framing ({@code
   * transfer-encoding}, {@code trailer}) itself.
   */
  public static boolean isHopByHop(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return HopByHop.NAMES.contains(lower) || HopByHop.FRAMING.contains(lower);
  }

  /**
   * All entries except hop-by-hop ones and those the {@code Connection} header names; values as the
   * bytes received (ISO-8859-1).
   */
  public static List<Field> fromHeaders(HttpHeaders headers) {
    if (headers.isEmpty()) {
      return List.of();
    }
    Set<String> nominated = HopByHop.nominated(headers.getAll(HttpHeaderNames.CONNECTION));
    List<Field> out = new ArrayList<>(headers.size());
    for (Map.Entry<String, String> e : headers) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (!isHopByHop(name) && !nominated.contains(name)) {
        out.add(new Field(name, e.getValue().getBytes(StandardCharsets.ISO_8859_1)));
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
