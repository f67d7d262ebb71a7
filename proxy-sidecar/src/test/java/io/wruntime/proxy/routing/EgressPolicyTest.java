package io.wruntime.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
  private final EgressPolicy policy =
      EgressPolicy.of(
          true, List.of("api.stripe.com", "*.example.com", "hooks.partner.io:8443"), false);

  @Test
  void exactNamesMatchExactly() {
    assertThat(policy.allows("api.stripe.com", 443)).isTrue();
    assertThat(policy.allows("API.Stripe.com", 80)).isTrue();
    assertThat(policy.allows("stripe.com", 443)).isFalse();
    assertThat(policy.allows("x.api.stripe.com", 443)).isFalse();
  }

  @Test
  void aWildcardMatchesExactlyOneLabel() {
    assertThat(policy.allows("api.example.com", 80)).isTrue();
    assertThat(policy.allows("a.b.example.com", 80)).isFalse();
    assertThat(policy.allows("example.com", 80)).isFalse();
    assertThat(policy.allows("badexample.com", 80)).isFalse();
  }

  @Test
  void aHostWithoutPortAllowsOnlyPorts80And443AndAHostWithAPortOnlyThatPort() {
    assertThat(policy.allows("api.stripe.com", 8080)).isFalse();
    assertThat(policy.allows("api.stripe.com", 9091)).isFalse();
    assertThat(policy.allows("api.example.com", 22)).isFalse();
    assertThat(policy.allows("hooks.partner.io", 8443)).isTrue();
    assertThat(policy.allows("hooks.partner.io", 443)).isFalse();
    assertThat(policy.allows("hooks.partner.io", 80)).isFalse();
  }

  @Test
  void ipAddressesAndLoopbackNamesAreRefusedAsEntriesUnlessIpLiteralsAreAllowed() {
    assertThatThrownBy(() -> EgressPolicy.Rule.parse("127.0.0.1", false))
        .hasMessageContaining("is an IP address")
        .hasMessageContaining("allow_ip_literals = true");
    assertThatThrownBy(() -> EgressPolicy.Rule.parse("[::1]:9091", false))
        .hasMessageContaining("is an IP address");
    assertThatThrownBy(() -> EgressPolicy.Rule.parse("localhost", true))
        .hasMessageContaining("is a loopback host name");
    assertThatThrownBy(() -> EgressPolicy.Rule.parse("*.localhost:9091", true))
        .hasMessageContaining("is a loopback host name");
    assertThatThrownBy(() -> EgressPolicy.Rule.parse("api.example.com:0", false))
        .hasMessage("has the port 0 (expected: 1 to 65535)");
    assertThatThrownBy(() -> EgressPolicy.Rule.parse("https://x.com", false))
        .hasMessageStartingWith("(expected: a host name");
  }

  @Test
  void anIpDestinationMatchesOnlyAnExplicitIpEntryAndNeverAWildcard() {
    EgressPolicy ips =
        EgressPolicy.of(true, List.of("127.0.0.1:8080", "[fd00::1]", "*.0.0.1"), true);

    assertThat(ips.allows("127.0.0.1", 8080)).isTrue();
    assertThat(ips.allows("127.0.0.1", 9091)).isFalse();
    assertThat(ips.allows("10.0.0.1", 80)).isFalse();
    assertThat(ips.allows("fd00::1", 443)).isTrue();
    assertThat(ips.allows("[fd00::1]", 80)).isTrue();
    assertThat(policy.allows("127.0.0.1", 80)).isFalse();
    assertThat(policy.allows("foo.localhost", 80)).isFalse();
  }
}
