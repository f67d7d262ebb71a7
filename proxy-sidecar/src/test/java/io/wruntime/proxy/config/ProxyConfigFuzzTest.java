package io.wruntime.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wruntime.common.config.ConfigException;
import java.nio.charset.StandardCharsets;

/**
 * {@link ProxyConfig#parse} on arbitrary text: a configuration is read or refused with a {@link
 * ConfigException} that names the file; nothing else escapes.
 */
class ProxyConfigFuzzTest {
  // libFuzzer dictionary syntax: a quote is written \x22, a newline \x0a.
  @DictionaryEntries({
    "[node]",
    "[node.tls]",
    "[cache]",
    "[circuit_breaker]",
    "[egress]",
    "[validation]",
    "[timeouts]",
    "listen_address",
    "control_address",
    "manager_address",
    "admin_address",
    "peer_port",
    "peer_listen_address",
    "proxy_address",
    "allowed_domains",
    "cert_path",
    "key_path",
    "ca_cert_path",
    "mode",
    "max_body_bytes",
    "\\x22",
    "\\x0a",
    "${"
  })
  @FuzzTest
  void parse(byte[] input) {
    try {
      ProxyConfig.parse("fuzz.toml", new String(input, StandardCharsets.UTF_8));
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith("fuzz.toml");
    }
  }
}
