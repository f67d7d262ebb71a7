package io.wruntime.engine.host.abi;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every host function the engine offers, keyed by interface and name. An import module name carries
 * the interface's version ({@code wasi:http/types@0.2.3}); every patch version from 0.2.0 to {@link
 * #MAX_WASI_PATCH} resolves to the same implementation, as wasmtime does, so guests built against
 * any of them link. The wruntime interfaces ({@code wruntime:tracing/span@0.1.0}) link at every
 * 0.1.x.
 */
public final class HostInterfaces implements AutoCloseable {
  /** The newest wasi 0.2 patch version accepted in import names: all of them (see above). */
  public static final int MAX_WASI_PATCH = Integer.MAX_VALUE;

  private static final Pattern VERSIONED =
      Pattern.compile("([a-z][a-z0-9-]*:[a-z][a-z0-9-/]*)@0\\.2\\.(\\d+)");

  private static final String WRUNTIME = "wruntime:";

  /** The wruntime host interfaces ({@code wit/}) are at 0.1: every 0.1.x links. */
  private static final Pattern WRUNTIME_VERSIONED =
      Pattern.compile("(wruntime:[a-z][a-z0-9-]*/[a-z][a-z0-9-]*)@0\\.1\\.(\\d+)");

  private final Map<String, HostFunctionDef> byKey = new HashMap<>();
  private final List<AutoCloseable> owned = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<String, Preparation> preparations = new HashMap<>();

  /**
   * What an interface sets up for a module that imports it, when the module loads (e.g. the S3
   * client of its blob store grant).
   */
  @FunctionalInterface
  public interface Preparation {
    /** Prepares {@code module}; null when it is ready, else what is wrong, for its load error. */
    String prepare(io.wruntime.engine.module.ModuleDefinition module);
  }

  /** Runs {@code preparation} for each module that loads importing {@code iface}. */
  public void onLoad(String iface, Preparation preparation) {
    preparations.put(iface, java.util.Objects.requireNonNull(preparation, "preparation"));
  }

  /**
   * Prepares {@code module}, which imports the unversioned interface {@code iface}; null when ready
   * (or nothing to prepare), else why it cannot load.
   */
  public String prepare(String iface, io.wruntime.engine.module.ModuleDefinition module) {
    Preparation preparation = preparations.get(iface);
    return preparation == null ? null : preparation.prepare(module);
  }

  /** Closes {@code resource} with this registry (e.g. the clients behind an interface). */
  public void own(AutoCloseable resource) {
    owned.add(java.util.Objects.requireNonNull(resource, "resource"));
  }

  /** Closes what the interfaces own; their functions must not be called afterwards. */
  @Override
  public void close() {
    for (AutoCloseable resource : owned) {
      try {
        resource.close();
      } catch (Exception e) {
        // best effort: the engine is stopping
      }
    }
    owned.clear();
  }

  /** The versions of {@code iface} (or of an import module name) that link, for messages. */
  public static String supportedVersions(String iface) {
    if (iface.startsWith(WRUNTIME)) {
      return "0.1.x";
    }
    return MAX_WASI_PATCH == Integer.MAX_VALUE ? "0.2.x" : "0.2.0 to 0.2." + MAX_WASI_PATCH;
  }

  public void add(HostFunctionDef def) {
    HostFunctionDef previous = byKey.putIfAbsent(def.iface() + "#" + def.name(), def);
    if (previous != null) {
      throw new IllegalStateException(
          "host function registered twice: " + def.iface() + "#" + def.name());
    }
  }

  public void addAll(Collection<HostFunctionDef> defs) {
    defs.forEach(this::add);
  }

  /**
   * The implementation of an import, or why there is none: a message naming the import and what the
   * engine offers instead.
   */
  public Optional<HostFunctionDef> find(String importModule, String name) {
    String iface = interfaceOf(importModule);
    if (iface == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(byKey.get(iface + "#" + name));
  }

  /**
   * The unversioned interface of an import module name, or null if its version is not supported.
   */
  public static String interfaceOf(String importModule) {
    if (importModule.startsWith(WRUNTIME)) {
      Matcher w = WRUNTIME_VERSIONED.matcher(importModule);
      return w.matches() ? w.group(1) : null;
    }
    Matcher m = VERSIONED.matcher(importModule);
    if (!m.matches()) {
      return null;
    }
    try {
      int patch = Integer.parseInt(m.group(2));
      return patch <= MAX_WASI_PATCH ? m.group(1) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** True when some function of {@code importModule}'s interface is offered (the version aside). */
  public boolean knowsInterface(String iface) {
    return byKey.keySet().stream().anyMatch(k -> k.startsWith(iface + "#"));
  }

  /** The unversioned names of every interface offered, sorted, for error messages. */
  public SortedSet<String> interfaceNames() {
    SortedSet<String> names = new TreeSet<>();
    for (HostFunctionDef def : byKey.values()) {
      names.add(def.iface());
    }
    return names;
  }

  public List<HostFunctionDef> all() {
    return List.copyOf(byKey.values());
  }
}
