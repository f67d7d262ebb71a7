package io.wruntime.engine.server;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What {@code /readyz} reports: ready when every module loaded.
 *
 * @param modules each hosted module and its state
 */
public record ReadinessReport(List<ModuleState> modules) {
  public ReadinessReport {
    modules = List.copyOf(requireNonNull(modules, "modules"));
  }

  public boolean ready() {
    return modules.stream().allMatch(m -> m.state().equals(ModuleState.READY));
  }

  /**
   * @param module {@code ns.name@version}
   * @param state {@link #READY} or {@link #FAILED}
   * @param error why it failed to load, or null
   */
  public record ModuleState(String module, String state, String error) {
    public static final String READY = "ready";
    public static final String FAILED = "failed";

    public ModuleState {
      requireNonNull(module, "module");
      requireNonNull(state, "state");
    }
  }
}
