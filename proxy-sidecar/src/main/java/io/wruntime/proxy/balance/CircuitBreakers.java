package io.wruntime.proxy.balance;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The circuit breakers of this proxy, one per address, created on first use. */
public final class CircuitBreakers {
  private final int failureThreshold;
  private final Duration openDuration;
  private final Clock clock;
  private final ConcurrentHashMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

  public CircuitBreakers(int failureThreshold, Duration openDuration, Clock clock) {
    this.failureThreshold = failureThreshold;
    this.openDuration = requireNonNull(openDuration, "openDuration");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The breaker of {@code address}. */
  public CircuitBreaker get(String address) {
    requireNonNull(address, "address");
    return breakers.computeIfAbsent(
        address, a -> new CircuitBreaker(failureThreshold, openDuration, clock));
  }

  /** Forgets the breakers of addresses that are no longer routed. */
  public void retainOnly(Set<String> addresses) {
    breakers.keySet().retainAll(addresses);
  }

  /** How many circuits are open or half-open now. */
  public int openCount() {
    int n = 0;
    for (CircuitBreaker b : breakers.values()) {
      if (b.state() != CircuitBreaker.State.CLOSED) {
        n++;
      }
    }
    return n;
  }
}
