package io.wruntime.proxy.balance;

import static java.util.Objects.requireNonNull;

import io.wruntime.proxy.routing.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * Chooses an instance by the power of two choices: two random eligible candidates, the one with
 * fewer outstanding requests wins. Candidates whose circuit is open are skipped while another is
 * eligible.
 */
public final class LoadBalancer {
  private final CircuitBreakers breakers;
  private final IntUnaryOperator random;
  private final ConcurrentHashMap<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();

  public LoadBalancer(CircuitBreakers breakers) {
    this(breakers, bound -> ThreadLocalRandom.current().nextInt(bound));
  }

  /**
   * @param random returns a number in {@code [0, bound)} for a bound; tests make it predictable
   */
  public LoadBalancer(CircuitBreakers breakers, IntUnaryOperator random) {
    this.breakers = requireNonNull(breakers, "breakers");
    this.random = requireNonNull(random, "random");
  }

  /** The result of {@link #choose}. */
  public sealed interface Choice permits Chosen, AllOpen {}

  /**
   * An instance to send to. Call {@link #finish} exactly once when the request ended.
   *
   * @param instance the chosen instance
   */
  public record Chosen(Instance instance, CircuitBreaker.Permit permit, AtomicInteger counter)
      implements Choice {
    /** Reports the outcome to the circuit breaker and ends the request's outstanding count. */
    public void finish(Outcome outcome) {
      switch (outcome) {
        case SUCCESS -> permit.success();
        case FAILURE -> permit.failure();
        case CANCELLED -> permit.cancel();
      }
      counter.decrementAndGet();
    }
  }

  /**
   * Every candidate's circuit is open.
   *
   * @param retryAfter until the first of them lets a probe through
   */
  public record AllOpen(Duration retryAfter) implements Choice {}

  /** How a request ended, for its circuit breaker. */
  public enum Outcome {
    SUCCESS,
    FAILURE,
    CANCELLED
  }

  /**
   * Chooses among {@code candidates} (not empty), instances of module {@code namespace.module}, and
   * counts the request as outstanding on the chosen one. Circuits are per instance and module
   * version; outstanding requests per address.
   */
  public Choice choose(String namespace, String module, List<Instance> candidates) {
    requireNonNull(namespace, "namespace");
    requireNonNull(module, "module");
    requireNonNull(candidates, "candidates");
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("candidates: [] (expected: at least one instance)");
    }
    if (candidates.size() == 1) {
      return chooseOnly(candidates.get(0), breakers.get(key(namespace, module, candidates.get(0))));
    }
    List<Instance> eligible = new ArrayList<>(candidates.size());
    for (Instance i : candidates) {
      if (breakers.get(key(namespace, module, i)).canAttempt()) {
        eligible.add(i);
      }
    }
    while (!eligible.isEmpty()) {
      Instance pick = pick(eligible);
      CircuitBreaker.Permit permit = breakers.get(key(namespace, module, pick)).tryAcquire();
      if (permit != null) {
        AtomicInteger counter = counter(pick.address());
        counter.incrementAndGet();
        return new Chosen(pick, permit, counter);
      }
      eligible.remove(pick); // opened meanwhile, or another request took its probe
    }
    Duration retryAfter = null;
    for (Instance i : candidates) {
      Duration d = breakers.get(key(namespace, module, i)).retryAfter();
      if (retryAfter == null || d.compareTo(retryAfter) < 0) {
        retryAfter = d;
      }
    }
    return new AllOpen(retryAfter);
  }

  /** {@link #choose} of a single candidate: its breaker looked up once. */
  private Choice chooseOnly(Instance only, CircuitBreaker breaker) {
    if (breaker.canAttempt()) {
      CircuitBreaker.Permit permit = breaker.tryAcquire();
      if (permit != null) {
        AtomicInteger counter = counter(only.address());
        counter.incrementAndGet();
        return new Chosen(only, permit, counter);
      }
    }
    return new AllOpen(breaker.retryAfter());
  }

  /** The circuit breaker key of {@code instance} serving {@code namespace.module}. */
  public static CircuitBreakers.Key key(String namespace, String module, Instance instance) {
    return new CircuitBreakers.Key(
        instance.address(), namespace, module, instance.version().toString());
  }

  /** How an answer with {@code status} counts for its circuit breaker. */
  public Outcome outcomeOf(int status) {
    return breakers.isFailure(status) ? Outcome.FAILURE : Outcome.SUCCESS;
  }

  private Instance pick(List<Instance> eligible) {
    int n = eligible.size();
    if (n == 1) {
      return eligible.get(0);
    }
    int a = random.applyAsInt(n);
    int b = random.applyAsInt(n - 1);
    if (b >= a) {
      b++; // two distinct candidates
    }
    Instance first = eligible.get(a);
    Instance second = eligible.get(b);
    return outstanding(second) < outstanding(first) ? second : first;
  }

  /** Requests now outstanding on {@code instance}'s address. */
  public int outstanding(Instance instance) {
    AtomicInteger c = outstanding.get(instance.address());
    return c == null ? 0 : c.get();
  }

  private AtomicInteger counter(String address) {
    return outstanding.computeIfAbsent(address, a -> new AtomicInteger());
  }
}
