package io.wruntime.common.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.wruntime.common.net.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A TOML table with typed accessors whose errors name the file, the full key path, the value and
 * what was expected. Unknown keys are rejected by {@link #rejectUnknownKeys(Set)} so that a typo is
 * an error instead of a silently ignored setting.
 *
 * <p>Every string read through it (strings, addresses, string arrays, string values of {@link
 * #entries(String)}) has {@code ${NAME}} replaced by environment variable {@code NAME} and {@code
 * $$} by {@code $}; an unset variable or another use of {@code $} is a {@link ConfigException}.
 * Expansion is one pass: a variable's value is used as it is.
 */
public final class TomlTable {
  private static final TomlMapper MAPPER = new TomlMapper();

  private final String source;
  private final String path;
  private final ObjectNode node;
  private final Function<String, String> env;

  private TomlTable(String source, String path, ObjectNode node, Function<String, String> env) {
    this.source = source;
    this.path = path;
    this.node = node;
    this.env = env;
  }

  /**
   * Parses a TOML file, expanding strings from the process environment; a syntax error names the
   * file and the parser's reason.
   */
  public static TomlTable load(Path file) {
    requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage(), e);
    }
    return parse(file.toString(), text);
  }

  /**
   * Parses TOML text, expanding strings from the process environment; {@code source} names where it
   * came from in error messages.
   */
  public static TomlTable parse(String source, String text) {
    return parse(source, text, System::getenv);
  }

  /**
   * Parses TOML text whose strings expand {@code ${NAME}} from {@code env} instead of the process
   * environment.
   */
  public static TomlTable parse(String source, String text, Map<String, String> env) {
    Map<String, String> copy = Map.copyOf(requireNonNull(env, "env"));
    return parse(source, text, copy::get);
  }

  private static TomlTable parse(String source, String text, Function<String, String> env) {
    requireNonNull(source, "source");
    requireNonNull(text, "text");
    try {
      JsonNode tree = MAPPER.readTree(text);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        tree = MAPPER.createObjectNode();
      }
      return new TomlTable(source, "", (ObjectNode) tree, env);
    } catch (IOException e) {
      String reason =
          e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new ConfigException(source + ": invalid TOML: " + reason, e);
    }
  }

  /** Where this table came from, for error messages. */
  public String source() {
    return source;
  }

  /** The dotted key of this table ({@code ""} for the document root). */
  public String path() {
    return path;
  }

  /** The dotted key of {@code key} in this table, as error messages show it. */
  public String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public boolean has(String key) {
    return node.has(key);
  }

  /** Fails when the table holds a key outside {@code known}, listing the keys that are accepted. */
  public void rejectUnknownKeys(Set<String> known) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw error(
            name,
            "is not a known key (expected one of: "
                + String.join(", ", new TreeSet<>(known))
                + ")");
      }
    }
  }

  public Optional<String> string(String key) {
    JsonNode value = node.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw error(key, "= " + value + " (expected: a string)");
    }
    return Optional.of(expand(key, value));
  }

  public String string(String key, String defaultValue) {
    return string(key).orElse(defaultValue);
  }

  public String requireString(String key) {
    return string(key).orElseThrow(() -> error(key, "is missing (expected: a string)"));
  }

  /**
   * An address {@code host:port} (also {@code http://host:port} when {@code allowHttpUrl}); when
   * absent, {@code defaultValue} parsed, or an error when {@code defaultValue} is null.
   *
   * @param example the address an error message offers as what was expected
   * @see HostPort#parse(String, boolean, String)
   */
  public HostPort address(String key, String defaultValue, boolean allowHttpUrl, String example) {
    String text = defaultValue == null ? requireString(key) : string(key, defaultValue);
    try {
      return HostPort.parse(text, allowHttpUrl, example);
    } catch (IllegalArgumentException e) {
      throw error(key, "= " + e.getMessage());
    }
  }

  public Optional<Long> integer(String key) {
    JsonNode value = node.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isIntegralNumber()) {
      throw error(key, "= " + value + " (expected: an integer)");
    }
    return Optional.of(value.asLong());
  }

  /** An integer within [min, max], or {@code defaultValue} when absent. */
  public long integer(String key, long defaultValue, long min, long max) {
    long value = integer(key).orElse(defaultValue);
    if (value < min || value > max) {
      throw error(key, "= " + value + " (expected: an integer from " + min + " to " + max + ")");
    }
    return value;
  }

  public boolean bool(String key, boolean defaultValue) {
    JsonNode value = node.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (!value.isBoolean()) {
      throw error(key, "= " + value + " (expected: true or false)");
    }
    return value.asBoolean();
  }

  public List<String> strings(String key) {
    JsonNode value = node.get(key);
    if (value == null) {
      return List.of();
    }
    if (!value.isArray()) {
      throw error(key, "= " + value + " (expected: an array of strings)");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : value) {
      if (!item.isTextual()) {
        throw error(key, "contains " + item + " (expected: an array of strings)");
      }
      out.add(expand(key + "[" + out.size() + "]", item));
    }
    return List.copyOf(out);
  }

  public Optional<TomlTable> table(String key) {
    JsonNode value = node.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isObject()) {
      throw error(key, "= " + value + " (expected: a table [" + keyPath(key) + "])");
    }
    return Optional.of(new TomlTable(source, keyPath(key), (ObjectNode) value, env));
  }

  /** An array of tables ({@code [[key]]}); empty when absent. */
  public List<TomlTable> tables(String key) {
    JsonNode value = node.get(key);
    if (value == null) {
      return List.of();
    }
    if (!value.isArray()) {
      throw error(key, "= " + value + " (expected: an array of tables [[" + keyPath(key) + "]])");
    }
    List<TomlTable> out = new ArrayList<>();
    int index = 0;
    for (JsonNode item : value) {
      if (!item.isObject()) {
        throw error(key, "contains " + item + " (expected: tables [[" + keyPath(key) + "]])");
      }
      out.add(new TomlTable(source, keyPath(key) + "[" + index + "]", (ObjectNode) item, env));
      index++;
    }
    return List.copyOf(out);
  }

  /**
   * The entries of table {@code key} in their order, for the caller to interpret: string values
   * come expanded (as {@link TextNode}s), other values as parsed.
   */
  public Map<String, JsonNode> entries(String key) {
    JsonNode value = node.get(key);
    if (value == null) {
      return Map.of();
    }
    if (!value.isObject()) {
      throw error(key, "= " + value + " (expected: a table)");
    }
    Map<String, JsonNode> out = new LinkedHashMap<>();
    value
        .fields()
        .forEachRemaining(
            e ->
                out.put(
                    e.getKey(),
                    e.getValue().isTextual()
                        ? TextNode.valueOf(expand(key + "." + e.getKey(), e.getValue()))
                        : e.getValue()));
    return out;
  }

  private String expand(String key, JsonNode value) {
    try {
      return EnvExpansion.expand(value.asText(), env);
    } catch (IllegalArgumentException e) {
      throw error(key, "= " + value + ": " + e.getMessage());
    }
  }

  /** A {@link ConfigException} about {@code key} of this table: "source: key problem". */
  public ConfigException error(String key, String problem) {
    return new ConfigException(source + ": " + keyPath(key) + " " + problem);
  }
}
