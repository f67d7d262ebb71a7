package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Secrets by (namespace, key), held in memory for the life of the process. Values leave only
 * through {@link #resolve}, for the engine that requested them at registration.
 */
public final class Secrets {
  private record Id(String namespace, String key) implements Comparable<Id> {
    private static final Comparator<Id> ORDER =
        Comparator.comparing(Id::namespace).thenComparing(Id::key);

    @Override
    public int compareTo(Id other) {
      return ORDER.compare(this, other);
    }
  }

  private record Entry(String value, Instant updatedAt) {}

  private final Clock clock;
  private final Map<Id, Entry> entries = new TreeMap<>();

  public Secrets(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /** Stores a value; true when the secret is new, false when a value was replaced. */
  public synchronized boolean set(String namespace, String key, String value) {
    requireNonNull(value, "value");
    return entries.put(new Id(namespace, key), new Entry(value, clock.instant())) == null;
  }

  /**
   * Deletes a secret.
   *
   * @throws RegistryException NOT_FOUND when there is none
   */
  public synchronized void delete(String namespace, String key) {
    if (entries.remove(new Id(namespace, key)) == null) {
      throw RegistryException.notFound(
          "secret \"" + key + "\" of namespace " + namespace + " does not exist");
    }
  }

  /** A stored secret without its value. */
  public record SecretEntry(String namespace, String key, Instant updatedAt) {}

  /** Keys and update times, ordered by (namespace, key); all namespaces when empty. */
  public synchronized List<SecretEntry> list(String namespace) {
    List<SecretEntry> out = new ArrayList<>();
    entries.forEach(
        (id, entry) -> {
          if (namespace.isEmpty() || namespace.equals(id.namespace())) {
            out.add(new SecretEntry(id.namespace(), id.key(), entry.updatedAt()));
          }
        });
    return out;
  }

  /**
   * The values of {@code keys} in {@code namespace}, by key.
   *
   * @param field how the request names the keys, for the message, e.g. {@code
   *     modules[0].requested_secrets}
   * @throws RegistryException NOT_FOUND naming the first key that does not exist
   */
  synchronized Map<String, String> resolve(String namespace, List<String> keys, String field) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : keys) {
      Entry entry = entries.get(new Id(namespace, key));
      if (entry == null) {
        throw RegistryException.notFound(
            field
                + ": secret \""
                + key
                + "\" of namespace "
                + namespace
                + " does not exist (expected: a secret set with SetSecret, e.g. wr-cli secrets"
                + " set)");
      }
      out.put(key, entry.value());
    }
    return out;
  }
}
