package io.wruntime.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wruntime.common.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@link EngineConfig#parse} on arbitrary text: a configuration is read or refused with a {@link
 * ConfigException} that names the file; nothing else escapes.
 */
class EngineConfigFuzzTest {
  private static final Map<String, String> ENV = Map.of("HOME", "/home/wr", "POD_NAME", "pod-1");

  // libFuzzer dictionary syntax: a quote is written \x22, a newline \x0a.
  @DictionaryEntries({
    "[node]",
    "[pool]",
    "[limits]",
    "[artifacts]",
    "[[module]]",
    "listen_address",
    "manager_address",
    "proxy_address",
    "control_address",
    "engine_id",
    "heartbeat_interval_secs",
    "name",
    "namespace",
    "version",
    "wasm_path",
    "wasm_ref",
    "schema_path",
    "max_memory_bytes",
    "request_timeout_secs",
    "mode",
    "env",
    "capabilities",
    "\\x22",
    "\\x0a",
    "${"
  })
  @FuzzTest
  void parse(byte[] input) {
    try {
      EngineConfig.parse("fuzz.toml", new String(input, StandardCharsets.UTF_8), ENV);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith("fuzz.toml");
    }
  }
}
