package io.wruntime.proxy.balance;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The circuit breaker of one module version at one address. Closed, it lets everything through and
 * counts consecutive failures (what {@link CircuitBreakers#isFailure} says of answers, connect and
 * network errors, timeouts); at {@code failureThreshold} it opens and refuses traffic for {@code
 * openDuration}; then it is half-open and lets exactly one probe through, whose outcome closes it
 * again or reopens it.
 *
 * <p>Outcomes are reported through the {@link Permit} a request was given, so that a request that
 * started before the circuit opened cannot close it by succeeding late: only the probe decides a
 * half-open circuit.
 */
public final class CircuitBreaker {
  /** The breaker's state. */
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private final int failureThreshold;
  private final Duration openDuration;
  private final Clock clock;

  private State state = State.CLOSED;
  private int failures;
  private Instant openUntil = Instant.MIN;
  private boolean probeInFlight;
  private long generation;

  public CircuitBreaker(int failureThreshold, Duration openDuration, Clock clock) {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException(
          "failureThreshold: " + failureThreshold + " (expected: at least 1)");
    }
    this.failureThreshold = failureThreshold;
    this.openDuration = requireNonNull(openDuration, "openDuration");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Whether {@link #tryAcquire()} would grant a permit now; changes nothing. */
  public synchronized boolean canAttempt() {
    return switch (state) {
      case CLOSED -> true;
      case OPEN -> !clock.instant().isBefore(openUntil);
      case HALF_OPEN -> !probeInFlight;
    };
  }

  /**
   * A permit to send one request, or null while the circuit is open (or half-open with its probe
   * under way). The first request after the open period becomes the probe.
   */
  public synchronized Permit tryAcquire() {
    switch (state) {
      case CLOSED -> {
        return new Permit(this, generation, false);
      }
      case OPEN -> {
        if (clock.instant().isBefore(openUntil)) {
          return null;
        }
        state = State.HALF_OPEN;
        probeInFlight = true;
        return new Permit(this, generation, true);
      }
      case HALF_OPEN -> {
        if (probeInFlight) {
          return null;
        }
        probeInFlight = true;
        return new Permit(this, generation, true);
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  /** The state now; an open circuit whose period ran out reads as half-open. */
  public synchronized State state() {
    if (state == State.OPEN && !clock.instant().isBefore(openUntil)) {
      return State.HALF_OPEN;
    }
    return state;
  }

  /** How long until an open circuit lets a probe through; zero when it would now. */
  public synchronized Duration retryAfter() {
    if (state != State.OPEN) {
      return Duration.ZERO;
    }
    Duration left = Duration.between(clock.instant(), openUntil);
    return left.isNegative() ? Duration.ZERO : left;
  }

  private synchronized void report(Permit permit, Boolean success) {
    if (permit.generation != generation) {
      return; // granted before the circuit last changed state: its outcome is stale
    }
    if (permit.probe) {
      probeInFlight = false;
      if (success == null) {
        return; // the probe was abandoned: the next request probes
      }
      if (success) {
        close();
      } else {
        open();
      }
      return;
    }
    if (state != State.CLOSED || success == null) {
      return;
    }
    if (success) {
      failures = 0;
    } else if (++failures >= failureThreshold) {
      open();
    }
  }

  private void open() {
    state = State.OPEN;
    openUntil = clock.instant().plus(openDuration);
    failures = 0;
    generation++;
  }

  private void close() {
    state = State.CLOSED;
    failures = 0;
    generation++;
  }

  /** Leave to send one request; report its outcome exactly once (later reports are ignored). */
  public static final class Permit {
    private final CircuitBreaker breaker;
    private final long generation;
    private final boolean probe;
    private boolean reported;

    private Permit(CircuitBreaker breaker, long generation, boolean probe) {
      this.breaker = breaker;
      this.generation = generation;
      this.probe = probe;
    }

    /** Whether this request is the probe of a half-open circuit. */
    public boolean isProbe() {
      return probe;
    }

    /** The request got an answer that is not a failure. */
    public void success() {
      report(true);
    }

    /** The request failed: an answer that counts as a failure, or a connect or network error. */
    public void failure() {
      report(false);
    }

    /** The request ended without an outcome for the upstream (e.g. the client went away). */
    public void cancel() {
      report(null);
    }

    private void report(Boolean success) {
      synchronized (this) {
        if (reported) {
          return;
        }
        reported = true;
      }
      breaker.report(this, success);
    }
  }
}
