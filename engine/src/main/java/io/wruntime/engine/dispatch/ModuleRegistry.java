package io.wruntime.engine.dispatch;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.server.ReadinessReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The modules an engine hosts, by {@code namespace.name@version}. */
public final class ModuleRegistry {
  private final Map<String, HostedModule> modules = new ConcurrentHashMap<>();
  private final List<HostedModule> order = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Adds a module.
   *
   * @throws IllegalArgumentException when the same (namespace, name, version) is there already
   */
  public void add(HostedModule module) {
    requireNonNull(module, "module");
    if (modules.putIfAbsent(module.label(), module) != null) {
      throw new IllegalArgumentException(
          "module " + module.label() + " is hosted already (expected: each version once)");
    }
    order.add(module);
  }

  /** The module with exactly this namespace, name and version, or null. */
  public HostedModule find(String namespace, String name, String version) {
    return modules.get(namespace + "." + name + "@" + version);
  }

  /** The hosted versions of {@code namespace.name}, highest first. */
  public List<HostedModule> versions(String namespace, String name) {
    List<HostedModule> out = new ArrayList<>();
    for (HostedModule m : order) {
      if (m.namespace().equals(namespace) && m.name().equals(name)) {
        out.add(m);
      }
    }
    out.sort(Comparator.comparing(HostedModule::semVer).reversed());
    return out;
  }

  /** Every hosted module, in the order added. */
  public List<HostedModule> all() {
    return List.copyOf(order);
  }

  /** Labels of every hosted module, in the order added. */
  public List<String> labels() {
    return order.stream().map(HostedModule::label).toList();
  }

  /** Each module and whether it loaded. */
  public ReadinessReport readiness() {
    return new ReadinessReport(
        false,
        order.stream()
            .map(
                m ->
                    new ReadinessReport.ModuleState(
                        m.label(),
                        m.isReady()
                            ? ReadinessReport.ModuleState.READY
                            : ReadinessReport.ModuleState.FAILED,
                        m.loadError()))
            .toList());
  }
}
