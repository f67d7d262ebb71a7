package io.wruntime.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {
  @Test
  void parsesHostAndPort() {
    assertThat(HostPort.parse("127.0.0.1:9100", false)).isEqualTo(new HostPort("127.0.0.1", 9100));
    assertThat(HostPort.parse("[::1]:0", false)).isEqualTo(new HostPort("::1", 0));
    assertThat(HostPort.parse("[::1]:0", false).toString()).isEqualTo("[::1]:0");
  }

  @Test
  void parsesHttpUrlsWhereAllowed() {
    assertThat(HostPort.parse("http://127.0.0.1:9001", true))
        .isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(HostPort.parse("http://localhost:9001/", true))
        .isEqualTo(new HostPort("localhost", 9001));
    assertThatThrownBy(() -> HostPort.parse("https://127.0.0.1:9001", true))
        .hasMessage(
            "\"https://127.0.0.1:9001\" has scheme https (expected: host:port or http://host:port,"
                + " e.g. 127.0.0.1:9100)");
    assertThatThrownBy(() -> HostPort.parse("http://127.0.0.1:9001", false))
        .hasMessage(
            "\"http://127.0.0.1:9001\" is a URL (expected: host:port, e.g. 127.0.0.1:9100,"
                + " without scheme)");
    assertThatThrownBy(() -> HostPort.parse("http://u@127.0.0.1:9001", true))
        .hasMessageContaining("has more than a host and port");
    assertThatThrownBy(() -> HostPort.parse("http://127.0.0.1:9001/api", true))
        .hasMessageContaining("has more than a host and port");
  }

  @Test
  void errorMessagesOfferTheExampleTheCallerGives() {
    assertThatThrownBy(() -> HostPort.parse("https://127.0.0.1:9001", true, "127.0.0.1:9001"))
        .hasMessage(
            "\"https://127.0.0.1:9001\" has scheme https (expected: host:port or http://host:port,"
                + " e.g. 127.0.0.1:9001)");
    assertThatThrownBy(() -> HostPort.parse("0.0.0.0", false, "127.0.0.1:9000"))
        .hasMessage("\"0.0.0.0\" has no port (expected: host:port, e.g. 127.0.0.1:9000)");
  }

  @Test
  void rejectsMalformedAddressesSayingWhatWasExpected() {
    assertThatThrownBy(() -> HostPort.parse("localhost", false))
        .hasMessage("\"localhost\" has no port (expected: host:port, e.g. 127.0.0.1:9100)");
    assertThatThrownBy(() -> HostPort.parse("localhost:http", false))
        .hasMessage("\"localhost:http\" has port http (expected: a port from 0 to 65535)");
    assertThatThrownBy(() -> HostPort.parse("localhost:70000", false))
        .hasMessageContaining("has port 70000");
    assertThatThrownBy(() -> HostPort.parse("::1:80", false))
        .hasMessageContaining("IPv6 address without brackets");
    assertThatThrownBy(() -> HostPort.parse("[::1:80", false))
        .hasMessageContaining("malformed IPv6 address");
  }

  @Test
  void acceptsOnlyIpv6LiteralsInBrackets() {
    // Found by HostPortFuzzTest: "[[]:1" gave host "[", which printed as "[:1".
    assertThatThrownBy(() -> HostPort.parse("[[]:1", false))
        .hasMessage("\"[[]:1\" has a malformed IPv6 address (expected: [address]:port)");
    assertThatThrownBy(() -> HostPort.parse("[example.com]:1", false))
        .hasMessageContaining("malformed IPv6 address");
    assertThatThrownBy(() -> HostPort.parse("a]:1", false)).hasMessageContaining("no valid host");
    assertThat(HostPort.parse("[::ffff:127.0.0.1]:1", false).host()).isEqualTo("::ffff:127.0.0.1");
  }

  @Test
  void rejectsHostsWithPathOrUserSeparators() {
    assertThatThrownBy(() -> HostPort.parse("user@db:5432", false))
        .hasMessage(
            "\"user@db:5432\" has no valid host (expected: host:port, e.g. 127.0.0.1:9100)");
    assertThatThrownBy(() -> HostPort.parse("a/b:80", false))
        .hasMessageContaining("has no valid host");
  }

  @Test
  void knowsLoopbackAddresses() {
    assertThat(new HostPort("127.0.0.1", 1).isLoopback()).isTrue();
    assertThat(new HostPort("127.0.0.2", 1).isLoopback()).isTrue();
    assertThat(new HostPort("::1", 1).isLoopback()).isTrue();
    assertThat(new HostPort("localhost", 1).isLoopback()).isTrue();
    assertThat(new HostPort("0.0.0.0", 1).isLoopback()).isFalse();
    assertThat(new HostPort("10.0.0.5", 1).isLoopback()).isFalse();
    assertThat(new HostPort("engine.example.com", 1).isLoopback()).isFalse();
  }

  @Test
  void loopbackNeedsAFullIpLiteralOrLocalhost() {
    assertThat(new HostPort("127.1", 1).isLoopback()).isFalse();
    assertThat(new HostPort("127.0.0.256", 1).isLoopback()).isFalse();
  }

  @Test
  void aBoundPortReplacesPortZero() {
    HostPort configured = HostPort.parse("[::1]:0", false);

    assertThat(configured.withPort(9100)).isEqualTo(new HostPort("::1", 9100));
    assertThat(configured.withPort(9100).toSocketAddress().getPort()).isEqualTo(9100);
  }
}
