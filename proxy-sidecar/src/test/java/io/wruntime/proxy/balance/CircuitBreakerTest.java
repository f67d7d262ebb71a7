package io.wruntime.proxy.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.proxy.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final CircuitBreaker breaker = new CircuitBreaker(5, Duration.ofSeconds(30), clock);

  private void fail(int times) {
    for (int i = 0; i < times; i++) {
      breaker.tryAcquire().failure();
    }
  }

  @Test
  void fiveConsecutiveFailuresOpenItForTheOpenDuration() {
    fail(4);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);

    fail(1);

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.tryAcquire()).isNull();
    assertThat(breaker.canAttempt()).isFalse();
    assertThat(breaker.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(29));
    assertThat(breaker.tryAcquire()).isNull();
    assertThat(breaker.retryAfter()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aSuccessResetsTheCount() {
    fail(4);
    breaker.tryAcquire().success();
    fail(4);

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void afterTheOpenPeriodExactlyOneProbeGoesThroughAndItsSuccessCloses() {
    fail(5);
    clock.advance(Duration.ofSeconds(30));
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);

    CircuitBreaker.Permit probe = breaker.tryAcquire();

    assertThat(probe).isNotNull();
    assertThat(probe.isProbe()).isTrue();
    assertThat(breaker.tryAcquire()).isNull();
    probe.success();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.tryAcquire()).isNotNull();
  }

  @Test
  void aFailedProbeOpensItAgain() {
    fail(5);
    clock.advance(Duration.ofSeconds(31));

    breaker.tryAcquire().failure();

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.retryAfter()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void anAbandonedProbeLetsTheNextRequestProbe() {
    fail(5);
    clock.advance(Duration.ofSeconds(30));

    breaker.tryAcquire().cancel();

    assertThat(breaker.tryAcquire()).isNotNull();
  }

  @Test
  void outcomesOfRequestsStartedBeforeItOpenedChangeNothing() {
    CircuitBreaker.Permit early = breaker.tryAcquire();
    fail(5);
    clock.advance(Duration.ofSeconds(30));
    CircuitBreaker.Permit probe = breaker.tryAcquire();

    early.success();

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.tryAcquire()).isNull();
    probe.failure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void aPermitCountsOnce() {
    CircuitBreaker.Permit permit = breaker.tryAcquire();
    fail(4);

    permit.failure();
    permit.failure();

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    CircuitBreaker fresh = new CircuitBreaker(2, Duration.ofSeconds(1), clock);
    CircuitBreaker.Permit once = fresh.tryAcquire();
    once.failure();
    once.failure();
    assertThat(fresh.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }
}
