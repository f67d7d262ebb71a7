package io.wruntime.cli.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.cli.client.Endpoint;
import org.junit.jupiter.api.Test;

class EndpointTest {
  @Test
  void acceptsUrlsAndBareHostPort() {
    assertThat(Endpoint.parse("http://127.0.0.1:9000"))
        .isEqualTo(new Endpoint("http", "127.0.0.1", 9000));
    assertThat(Endpoint.parse("https://manager.example:443/"))
        .isEqualTo(new Endpoint("https", "manager.example", 443));
    assertThat(Endpoint.parse("localhost:9001")).isEqualTo(new Endpoint("http", "localhost", 9001));
    assertThat(Endpoint.parse("http://[::1]:9000").toString()).isEqualTo("http://[::1]:9000");
  }

  @Test
  void rejectsWhatIsNotAHostAndPort() {
    assertThatThrownBy(() -> Endpoint.parse("http://m:9000/api"))
        .hasMessage(
            "\"http://m:9000/api\" has more than a host and port (expected: http://HOST:PORT, https://HOST:PORT or HOST:PORT)");
    assertThatThrownBy(() -> Endpoint.parse("http://m"))
        .hasMessageContaining("has no host and port");
  }

  @Test
  void durationsTakeAUnitOrIso() {
    assertThat(DurationConverter.parse("250ms").toMillis()).isEqualTo(250);
    assertThat(DurationConverter.parse("5m").toSeconds()).isEqualTo(300);
    assertThat(DurationConverter.parse("PT1H").toHours()).isEqualTo(1);
    assertThatThrownBy(() -> DurationConverter.parse("0s"))
        .hasMessageContaining("expected: a positive duration");
    assertThatThrownBy(() -> DurationConverter.parse("soon")).hasMessageContaining("\"soon\"");
  }
}
