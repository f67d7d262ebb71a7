package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/** A service: one (namespace, module name), every version of it. */
public record ServiceKey(String namespace, String name) implements Comparable<ServiceKey> {
  private static final Comparator<ServiceKey> ORDER =
      Comparator.comparing(ServiceKey::namespace).thenComparing(ServiceKey::name);

  public ServiceKey {
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
  }

  @Override
  public int compareTo(ServiceKey other) {
    return ORDER.compare(this, other);
  }

  /** {@code namespace.name}, the authority modules call it by. */
  @Override
  public String toString() {
    return namespace + "." + name;
  }
}
