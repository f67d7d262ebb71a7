package io.wruntime.operator.model;

import java.util.List;
import java.util.stream.Collectors;

/** Writes TOML values; everything the operator renders into engine and proxy configs goes here. */
final class TomlText {
  private TomlText() {}

  /** A basic string, escaped for TOML. */
  static String string(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * A string whose {@code $} the config loaders must not expand: they read {@code ${NAME}} as an
   * environment variable and {@code $$} as one {@code $}.
   */
  static String literal(String value) {
    return string(value.replace("$", "$$"));
  }

  /** An array of basic strings. */
  static String strings(List<String> values) {
    return values.stream().map(TomlText::string).collect(Collectors.joining(", ", "[", "]"));
  }
}
