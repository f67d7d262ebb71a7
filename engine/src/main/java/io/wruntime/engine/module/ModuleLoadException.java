package io.wruntime.engine.module;

/**
 * A module cannot be loaded: unreadable or malformed binary, missing handler export, an import the
 * engine does not provide. The message names the module and what was expected.
 */
public final class ModuleLoadException extends Exception {
  private static final long serialVersionUID = 1L;

  public ModuleLoadException(String message) {
    super(message);
  }

  public ModuleLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
