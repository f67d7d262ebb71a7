package io.wruntime.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * {@link Destination#parse} on arbitrary {@code x-wr-destination} values: it either throws {@link
 * IllegalArgumentException} saying what was expected, or returns a destination the proxy can dial
 * (a port it can connect to, a path starting with {@code /}) that parses back from its own parts.
 */
class DestinationFuzzTest {
  @FuzzTest
  void parse(byte[] input) {
    String header = new String(input, StandardCharsets.UTF_8);
    Destination d;
    try {
      d = Destination.parse(header);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).contains("expected");
      return;
    }
    assertThat(d.scheme()).isIn("http", "https");
    assertThat(d.host()).isNotEmpty().isLowerCase();
    assertThat(d.port()).isBetween(-1, 65535);
    assertThat(d.effectivePort()).isBetween(1, 65535);
    assertThat(d.pathAndQuery()).startsWith("/");
    if (d.isModuleName()) {
      assertThat(d.namespace() + "." + d.module()).isEqualTo(d.host());
    }
    Destination again = Destination.parse(d.scheme() + "://" + d.authority() + d.pathAndQuery());
    assertThat(again.host()).isEqualTo(d.host());
    assertThat(again.port()).isEqualTo(d.port());
    assertThat(again.pathAndQuery()).isEqualTo(d.pathAndQuery());
  }
}
