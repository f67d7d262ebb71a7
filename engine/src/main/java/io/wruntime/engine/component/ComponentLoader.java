package io.wruntime.engine.component;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.host.CodeCache;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleLoadException;

/**
 * Loads a WebAssembly component (binary format layer 1) that serves {@code
 * wasi:http/incoming-handler} 0.2.x: parses it, links its core modules and host functions, and
 * returns a {@link LoadedComponent}. Every problem with the binary is a {@link ModuleLoadException}
 * that names the module and what was wrong.
 */
public final class ComponentLoader {
  private ComponentLoader() {}

  /** Whether {@code bytes} start like a component: the wasm magic, then version 0x0d layer 1. */
  public static boolean isComponent(byte[] bytes) {
    return bytes.length >= 8
        && bytes[0] == 0
        && bytes[1] == 'a'
        && bytes[2] == 's'
        && bytes[3] == 'm'
        && bytes[6] == 1
        && bytes[7] == 0;
  }

  /**
   * Parses and links {@code bytes}, the component of {@code definition}, its core modules' compiled
   * code read from and written to {@code codeCache}.
   *
   * @throws ModuleLoadException when the binary is malformed, uses a feature the engine does not
   *     support, or imports what the engine does not provide
   */
  public static LoadedComponent load(
      ModuleDefinition definition,
      byte[] bytes,
      HostResolver host,
      OutboundClient outbound,
      CodeCache codeCache)
      throws ModuleLoadException {
    requireNonNull(definition, "definition");
    requireNonNull(bytes, "bytes");
    String where = "module " + definition.label() + ": " + definition.wasmPath();
    try {
      Component component = ComponentParser.parse(bytes);
      ComponentLinker.Linked linked = ComponentLinker.link(definition, component, host, codeCache);
      return new LoadedComponent(definition, linked, outbound);
    } catch (MalformedComponent e) {
      throw new ModuleLoadException(
          where + " is not a valid WebAssembly component: " + e.getMessage(), e);
    } catch (UnsupportedFeature e) {
      throw new ModuleLoadException(where + ": " + e.getMessage(), e);
    } catch (OutOfMemoryError e) {
      // A component whose structure asks for more than the heap holds: this module's error, not
      // the engine's (the instantiation cap stops the known blow-ups before this).
      throw new ModuleLoadException(
          where + ": loading the component ran out of memory (expected: a smaller component)", e);
    } catch (RuntimeException | StackOverflowError e) {
      // Whatever else the linker or Chicory finds inconsistent still fails as this module's error.
      throw new ModuleLoadException(where + " is not a valid WebAssembly component: " + e, e);
    }
  }

  /**
   * Parses {@code bytes} only (the fuzz target's entry): a {@link ModuleLoadException} or nothing.
   */
  static void parse(String label, byte[] bytes) throws ModuleLoadException {
    try {
      ComponentParser.parse(bytes);
    } catch (MalformedComponent e) {
      throw new ModuleLoadException(
          "module " + label + " is not a valid WebAssembly component: " + e.getMessage(), e);
    } catch (UnsupportedFeature e) {
      throw new ModuleLoadException("module " + label + ": " + e.getMessage(), e);
    }
  }
}
