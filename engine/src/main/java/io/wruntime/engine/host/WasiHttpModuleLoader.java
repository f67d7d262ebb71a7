package io.wruntime.engine.host;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.GuestModuleLoader;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleLoadException;

/** Placeholder for the Chicory guest host; the real one replaces this class. */
public final class WasiHttpModuleLoader implements GuestModuleLoader {
  private final OutboundClient outbound;

  public WasiHttpModuleLoader(OutboundClient outbound) {
    this.outbound = requireNonNull(outbound, "outbound");
  }

  @Override
  public GuestModule load(ModuleDefinition definition) throws ModuleLoadException {
    requireNonNull(definition, "definition");
    throw new ModuleLoadException("guest host not built yet");
  }
}
