package io.wruntime.proxy.balance;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The circuit breakers of this proxy, one per instance address and module version, created on first
 * use: a module that fails does not open the circuit of the other modules its engine serves.
 */
public final class CircuitBreakers {
  /**
   * What one breaker guards: one module version at one address.
   *
   * @param address the engine of a local instance, the peer proxy of a remote one
   * @param namespace the module's namespace
   * @param module the module's name
   * @param version the module's version
   */
  public record Key(String address, String namespace, String module, String version) {
    public Key {
      requireNonNull(address, "address");
      requireNonNull(namespace, "namespace");
      requireNonNull(module, "module");
      requireNonNull(version, "version");
    }

    @Override
    public String toString() {
      return namespace + "." + module + "@" + version + " at " + address;
    }
  }

  private final int failureThreshold;
  private final Duration openDuration;
  private final boolean countServerErrors;
  private final Clock clock;
  private final ConcurrentHashMap<Key, CircuitBreaker> breakers = new ConcurrentHashMap<>();

  /**
   * @param countServerErrors whether every 5xx answer counts as a failure, not only 503
   */
  public CircuitBreakers(
      int failureThreshold, Duration openDuration, boolean countServerErrors, Clock clock) {
    this.failureThreshold = failureThreshold;
    this.openDuration = requireNonNull(openDuration, "openDuration");
    this.countServerErrors = countServerErrors;
    this.clock = requireNonNull(clock, "clock");
  }

  /** Breakers that count only 503 and 429 among answers. */
  public CircuitBreakers(int failureThreshold, Duration openDuration, Clock clock) {
    this(failureThreshold, openDuration, false, clock);
  }

  /** The breaker of {@code key}. */
  public CircuitBreaker get(Key key) {
    requireNonNull(key, "key");
    return breakers.computeIfAbsent(
        key, k -> new CircuitBreaker(failureThreshold, openDuration, clock));
  }

  /**
   * Whether an answer with {@code status} counts as a failure of the upstream: 503 (overloaded,
   * unavailable) and 429 always; other 5xx only with {@code count_server_errors}, since a module
   * answers 500 to requests anyone can send, and that says nothing about its health.
   */
  public boolean isFailure(int status) {
    return status == 503 || status == 429 || (countServerErrors && status >= 500);
  }

  /** Forgets the breakers of addresses that are no longer routed. */
  public void retainOnly(Set<String> addresses) {
    breakers.keySet().removeIf(k -> !addresses.contains(k.address()));
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
