package io.wruntime.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Requests in flight per caller: capped per caller, and forgotten when they end. */
class CallerLimitsTest {
  @Test
  void oneCallerAtItsCapDoesNotTakeAnotherCallersSlots() {
    CallerLimits limits = new CallerLimits(2, "max_requests_per_peer");

    assertThat(limits.tryAcquire("node/a")).isTrue();
    assertThat(limits.tryAcquire("node/a")).isTrue();
    assertThat(limits.tryAcquire("node/a")).isFalse();
    assertThat(limits.tryAcquire("node/b")).isTrue();

    limits.release("node/a");
    assertThat(limits.tryAcquire("node/a")).isTrue();
  }

  @Test
  void aCallerWithNothingInFlightLeavesNoEntry() {
    CallerLimits limits = new CallerLimits(1, "max_requests_per_module");

    limits.tryAcquire("module a.b");
    limits.release("module a.b");
    limits.release("module a.b");

    assertThat(limits.inFlight("module a.b")).isZero();
    assertThat(limits.tryAcquire("module a.b")).isTrue();
  }

  @Test
  void aCapBelowOneIsRefused() {
    assertThatThrownBy(() -> new CallerLimits(0, "max_requests_per_peer"))
        .hasMessage("max: 0 (expected: at least 1)");
  }
}
