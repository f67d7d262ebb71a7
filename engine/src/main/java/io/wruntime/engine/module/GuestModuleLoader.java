package io.wruntime.engine.module;

/** Parses, validates and compiles modules. */
public interface GuestModuleLoader {
  GuestModule load(ModuleDefinition definition) throws ModuleLoadException;
}
