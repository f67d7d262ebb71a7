package io.wruntime.engine.host;

import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The test guest modules built from {@code src/test/guests} into {@code target/test-guests}. */
final class TestGuests {
  static final Path DIR = Path.of("target", "test-guests");

  /** The memory cap test guests run under. */
  static final long MAX_MEMORY = 2 * 1024 * 1024;

  static final Map<String, String> ENV = Map.of("GREETING", "hello", "MODE", "test");

  /** Outbound calls fail: the host tests make none. */
  static final OutboundClient NO_OUTBOUND =
      request ->
          CompletableFuture.failedFuture(
              new OutboundException(HttpErrorCode.CONNECTION_REFUSED, "no outbound in tests"));

  private TestGuests() {}

  /** True when {@code thread} waits inside a blocking host call (poll, blocking read or write). */
  static boolean isBlockedInHost(Thread thread) {
    Thread.State state = thread.getState();
    if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
      return false;
    }
    for (StackTraceElement frame : thread.getStackTrace()) {
      if (frame.getClassName().startsWith("io.wruntime.engine.")
          && (frame.getMethodName().startsWith("await"))) {
        return true;
      }
    }
    return false;
  }

  static Path path(String guest) {
    return DIR.resolve(guest + ".wasm");
  }

  static ModuleDefinition definition(String guest, ExecutionMode mode) {
    return definition(guest, mode, MAX_MEMORY);
  }

  static ModuleDefinition definition(String guest, ExecutionMode mode, long maxMemory) {
    return new ModuleDefinition(
        "test", guest.replace('_', '-'), "1.0.0", path(guest), ENV, maxMemory, mode);
  }

  static LoadedModule load(String guest, ExecutionMode mode) throws ModuleLoadException {
    return new WasiHttpModuleLoader(NO_OUTBOUND).loadModule(definition(guest, mode));
  }
}
