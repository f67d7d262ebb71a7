package io.wruntime.common.config;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@link TomlTable} on arbitrary text, read through every typed accessor as the configuration
 * readers do: a bad file or value is a {@link ConfigException}, and nothing else escapes.
 */
class TomlTableFuzzTest {
  private static final List<String> KEYS =
      List.of("a", "b", "name", "listen", "port", "env", "tls", "modules", "node", "x");
  private static final Map<String, String> ENV = Map.of("HOME", "/home/wr", "PORT", "9000");

  // libFuzzer dictionary syntax: a quote is written \x22, a newline \x0a.
  @DictionaryEntries({
    "[",
    "]",
    "[[",
    "]]",
    "=",
    "\\x22",
    "'''",
    "\\x22\\x22\\x22",
    "${",
    "$$",
    "}",
    "{",
    ",",
    ".",
    "\\x0a",
    "true",
    "1979-05-27T07:32:00Z",
    "inf",
    "nan",
    "0x",
    "1e9",
    "a",
    "b",
    "name",
    "listen",
    "port",
    "env",
    "tls",
    "modules",
    "node",
    "x"
  })
  @FuzzTest
  void parse(byte[] input) {
    TomlTable root;
    try {
      root = TomlTable.parse("fuzz.toml", new String(input, StandardCharsets.UTF_8), ENV);
    } catch (ConfigException e) {
      return;
    }
    read(root, 0);
  }

  private static void read(TomlTable table, int depth) {
    for (String key : KEYS) {
      quietly(t -> t.has(key), table);
      quietly(t -> t.string(key), table);
      quietly(t -> t.string(key, "default"), table);
      quietly(t -> t.integer(key), table);
      quietly(t -> t.integer(key, 1, 0, 65535), table);
      quietly(t -> t.bool(key, false), table);
      quietly(t -> t.strings(key), table);
      quietly(t -> t.entries(key), table);
      quietly(t -> t.address(key, "127.0.0.1:1", true, "127.0.0.1:9100"), table);
      quietly(t -> t.rejectUnknownKeys(java.util.Set.of("a", "b")), table);
      if (depth < 3) {
        quietly(t -> t.table(key).ifPresent(nested -> read(nested, depth + 1)), table);
        quietly(t -> t.tables(key).forEach(nested -> read(nested, depth + 1)), table);
      }
    }
  }

  /** Runs one read; a {@link ConfigException} is the expected way to refuse a value. */
  private static void quietly(Consumer<TomlTable> read, TomlTable table) {
    try {
      read.accept(table);
    } catch (ConfigException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("fuzz.toml: ")) {
        throw new AssertionError("a ConfigException that does not name the file", e);
      }
    }
  }
}
