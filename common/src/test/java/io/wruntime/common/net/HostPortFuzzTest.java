package io.wruntime.common.net;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@link HostPort#parse} on arbitrary text: it either returns an address that prints and parses
 * back to itself, or throws {@link IllegalArgumentException}; nothing else escapes.
 */
class HostPortFuzzTest {
  /** The first byte's low bit says whether {@code http://} URLs are allowed; the rest is text. */
  @FuzzTest
  void parse(byte[] input) {
    if (input.length == 0) {
      return;
    }
    boolean allowHttpUrl = (input[0] & 1) == 1;
    String text = new String(Arrays.copyOfRange(input, 1, input.length), StandardCharsets.UTF_8);
    HostPort parsed;
    try {
      parsed = HostPort.parse(text, allowHttpUrl);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).contains("expected");
      return;
    }
    assertThat(parsed.port()).isBetween(0, 65535);
    assertThat(parsed.host()).isNotBlank().doesNotContain("/", "@", " ");
    assertThat(HostPort.parse(parsed.toString(), false)).isEqualTo(parsed);
    parsed.isLoopback();
  }
}
