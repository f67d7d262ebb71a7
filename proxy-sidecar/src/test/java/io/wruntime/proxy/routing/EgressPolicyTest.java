package io.wruntime.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
  private final EgressPolicy policy =
      new EgressPolicy(true, List.of("api.stripe.com", "*.example.com"));

  @Test
  void exactNamesMatchExactly() {
    assertThat(policy.allows("api.stripe.com")).isTrue();
    assertThat(policy.allows("API.Stripe.com")).isTrue();
    assertThat(policy.allows("stripe.com")).isFalse();
    assertThat(policy.allows("x.api.stripe.com")).isFalse();
  }

  @Test
  void aWildcardMatchesExactlyOneLabel() {
    assertThat(policy.allows("api.example.com")).isTrue();
    assertThat(policy.allows("a.b.example.com")).isFalse();
    assertThat(policy.allows("example.com")).isFalse();
    assertThat(policy.allows("badexample.com")).isFalse();
  }
}
