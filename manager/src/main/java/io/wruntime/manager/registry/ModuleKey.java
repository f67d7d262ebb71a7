package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/** A module version: namespace, module name and semantic version. */
public record ModuleKey(String namespace, String name, String version)
    implements Comparable<ModuleKey> {
  private static final Comparator<ModuleKey> ORDER =
      Comparator.comparing(ModuleKey::namespace)
          .thenComparing(ModuleKey::name)
          .thenComparing(ModuleKey::version);

  public ModuleKey {
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    requireNonNull(version, "version");
  }

  /** The service (namespace and module name) this version belongs to. */
  public ServiceKey service() {
    return new ServiceKey(namespace, name);
  }

  @Override
  public int compareTo(ModuleKey other) {
    return ORDER.compare(this, other);
  }

  /** {@code namespace.name@version}, as messages show a module version. */
  @Override
  public String toString() {
    return namespace + "." + name + "@" + version;
  }
}
