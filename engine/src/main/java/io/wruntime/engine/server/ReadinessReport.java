package io.wruntime.engine.server;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What {@code /readyz} reports: ready when every module loaded and the engine is not stopping.
 *
 * @param stopping true once a stop was asked for (traffic should go elsewhere)
 * @param modules each hosted module and its state
 */
public record ReadinessReport(boolean stopping, List<ModuleState> modules) {
  public ReadinessReport {
    modules = List.copyOf(requireNonNull(modules, "modules"));
  }

  public boolean ready() {
    return !stopping && modules.stream().allMatch(m -> m.state().equals(ModuleState.READY));
  }

  /** The same report, marked stopping. */
  public ReadinessReport asStopping() {
    return new ReadinessReport(true, modules);
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
