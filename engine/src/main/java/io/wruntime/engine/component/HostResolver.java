package io.wruntime.engine.component;

import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.module.ModuleLoadException;

/**
 * Finds the host function behind a component's {@code canon lower}: the same lookup, grant checks
 * and error messages as a core module's import of {@code instance#function}.
 */
@FunctionalInterface
public interface HostResolver {
  /**
   * The host function {@code function} of the imported instance {@code instance} (e.g. {@code
   * wasi:http/types@0.2.0}, {@code [method]fields.get}).
   *
   * @throws ModuleLoadException naming the import when the engine does not provide it, or the
   *     module is not granted its interface
   */
  HostFunctionDef resolve(String instance, String function) throws ModuleLoadException;
}
