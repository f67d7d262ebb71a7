package io.wruntime.proxy.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.common.names.SemVer;
import io.wruntime.common.net.HostPort;
import io.wruntime.proxy.MutableClock;
import io.wruntime.proxy.routing.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final CircuitBreakers breakers = new CircuitBreakers(2, Duration.ofSeconds(30), clock);
  private final Deque<Integer> draws = new ArrayDeque<>();
  private final LoadBalancer balancer =
      new LoadBalancer(breakers, bound -> draws.isEmpty() ? 0 : draws.pop());

  private static Instance instance(int port) {
    return new Instance(
        SemVer.parse("1.0.0"), "e" + port, "a", true, new HostPort("127.0.0.1", port));
  }

  private final Instance a = instance(1);
  private final Instance b = instance(2);
  private final Instance c = instance(3);

  private LoadBalancer.Chosen choose(List<Instance> candidates, int... randoms) {
    for (int r : randoms) {
      draws.add(r);
    }
    return (LoadBalancer.Chosen) balancer.choose("example", "echo", candidates);
  }

  @Test
  void ofTwoRandomCandidatesTheOneWithFewerOutstandingRequestsWins() {
    LoadBalancer.Chosen first = choose(List.of(a, b, c), 0, 0); // a vs b: tie, a
    assertThat(first.instance()).isEqualTo(a);

    LoadBalancer.Chosen second = choose(List.of(a, b, c), 0, 0); // a (1 outstanding) vs b (0)
    assertThat(second.instance()).isEqualTo(b);
    assertThat(balancer.outstanding(a)).isEqualTo(1);
    assertThat(balancer.outstanding(b)).isEqualTo(1);

    first.finish(LoadBalancer.Outcome.SUCCESS);
    assertThat(balancer.outstanding(a)).isZero();
    LoadBalancer.Chosen third = choose(List.of(a, b, c), 1, 0); // b (1) vs a (0)
    assertThat(third.instance()).isEqualTo(a);
  }

  @Test
  void theTwoCandidatesAreAlwaysDistinct() {
    LoadBalancer.Chosen busy = choose(List.of(a, b), 0, 0);
    assertThat(busy.instance()).isEqualTo(a);

    // Draws 0 then 0: a, and the second draw is shifted past a to b, which is idle and wins.
    assertThat(choose(List.of(a, b), 0, 0).instance()).isEqualTo(b);
  }

  @Test
  void anInstanceWithAnOpenCircuitIsSkippedWhileAnotherIsEligible() {
    choose(List.of(a)).finish(LoadBalancer.Outcome.FAILURE);
    choose(List.of(a)).finish(LoadBalancer.Outcome.FAILURE);
    assertThat(breakers.get(LoadBalancer.key("example", "echo", a)).state())
        .isEqualTo(CircuitBreaker.State.OPEN);

    for (int i = 0; i < 5; i++) {
      LoadBalancer.Chosen chosen = choose(List.of(a, b), 0, 0);
      assertThat(chosen.instance()).isEqualTo(b);
      chosen.finish(LoadBalancer.Outcome.SUCCESS);
    }
  }

  @Test
  void whenEveryCircuitIsOpenTheCallIsToldWhenToRetry() {
    for (Instance i : List.of(a, b)) {
      choose(List.of(i)).finish(LoadBalancer.Outcome.FAILURE);
      choose(List.of(i)).finish(LoadBalancer.Outcome.FAILURE);
      clock.advance(Duration.ofSeconds(10));
    }

    LoadBalancer.Choice choice = balancer.choose("example", "echo", List.of(a, b));

    assertThat(choice).isEqualTo(new LoadBalancer.AllOpen(Duration.ofSeconds(10)));
    assertThat(breakers.openCount()).isEqualTo(2);
  }

  @Test
  void aHalfOpenInstanceTakesOneProbeAndOthersCarryTheRest() {
    choose(List.of(a)).finish(LoadBalancer.Outcome.FAILURE);
    choose(List.of(a)).finish(LoadBalancer.Outcome.FAILURE);
    clock.advance(Duration.ofSeconds(30));

    LoadBalancer.Chosen probe = choose(List.of(a, b), 0, 0); // a and b idle: a, the probe
    LoadBalancer.Chosen next = choose(List.of(a, b), 0, 0);

    assertThat(probe.instance()).isEqualTo(a);
    assertThat(probe.permit().isProbe()).isTrue();
    assertThat(next.instance()).isEqualTo(b);
  }

  @Test
  void aSingleHalfOpenInstanceTakesOneProbeAndTheNextCallIsToldWhenToRetry() {
    choose(List.of(a)).finish(LoadBalancer.Outcome.FAILURE);
    choose(List.of(a)).finish(LoadBalancer.Outcome.FAILURE);
    clock.advance(Duration.ofSeconds(30));

    LoadBalancer.Chosen probe = choose(List.of(a));
    LoadBalancer.Choice next = balancer.choose("example", "echo", List.of(a));

    assertThat(probe.permit().isProbe()).isTrue();
    assertThat(balancer.outstanding(a)).isEqualTo(1);
    assertThat(next).isInstanceOf(LoadBalancer.AllOpen.class);
    probe.finish(LoadBalancer.Outcome.SUCCESS);
    assertThat(balancer.outstanding(a)).isZero();
    assertThat(choose(List.of(a)).permit().isProbe()).isFalse();
  }

  @Test
  void failuresOfOneModuleDoNotOpenTheCircuitOfAnotherOnTheSameEngine() {
    for (int i = 0; i < 2; i++) {
      ((LoadBalancer.Chosen) balancer.choose("example", "a", List.of(a)))
          .finish(LoadBalancer.Outcome.FAILURE);
    }

    assertThat(balancer.choose("example", "a", List.of(a)))
        .isInstanceOf(LoadBalancer.AllOpen.class);
    LoadBalancer.Choice other = balancer.choose("example", "b", List.of(a));
    assertThat(other).isInstanceOf(LoadBalancer.Chosen.class);
    assertThat(((LoadBalancer.Chosen) other).instance()).isEqualTo(a);
  }

  @Test
  void onlyUnavailableAndTooManyRequestsCountAmongAnswersUnlessServerErrorsAreCounted() {
    assertThat(balancer.outcomeOf(500)).isEqualTo(LoadBalancer.Outcome.SUCCESS);
    assertThat(balancer.outcomeOf(502)).isEqualTo(LoadBalancer.Outcome.SUCCESS);
    assertThat(balancer.outcomeOf(404)).isEqualTo(LoadBalancer.Outcome.SUCCESS);
    assertThat(balancer.outcomeOf(503)).isEqualTo(LoadBalancer.Outcome.FAILURE);
    assertThat(balancer.outcomeOf(429)).isEqualTo(LoadBalancer.Outcome.FAILURE);

    LoadBalancer counting =
        new LoadBalancer(new CircuitBreakers(2, Duration.ofSeconds(30), true, clock));
    assertThat(counting.outcomeOf(500)).isEqualTo(LoadBalancer.Outcome.FAILURE);
    assertThat(counting.outcomeOf(200)).isEqualTo(LoadBalancer.Outcome.SUCCESS);
  }
}
