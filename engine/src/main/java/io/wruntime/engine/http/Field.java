package io.wruntime.engine.http;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One HTTP header or trailer entry. Names compare case-insensitively; values are bytes, as
 * wasi:http models them.
 */
public record Field(String name, byte[] value) {
  public Field {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
  }

  public static Field of(String name, String value) {
    return new Field(name, value.getBytes(StandardCharsets.UTF_8));
  }

  public String valueString() {
    return new String(value, StandardCharsets.ISO_8859_1);
  }

  /** The first value of {@code name} in {@code fields}, or null. */
  public static String first(List<Field> fields, String name) {
    for (Field f : fields) {
      if (f.name.equalsIgnoreCase(name)) {
        return f.valueString();
      }
    }
    return null;
  }
}
