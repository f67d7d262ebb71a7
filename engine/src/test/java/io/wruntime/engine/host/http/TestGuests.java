package io.wruntime.engine.host.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Builds the test guests of {@code src/test/guests/http} (C with clang for wasm32-wasi, WAT with
 * wat2wasm) once per test JVM, through their Makefile.
 */
final class TestGuests {
  private static final Path SOURCES = Path.of("src/test/guests/http").toAbsolutePath();
  private static final Path OUT = Path.of("target/test-guests/http").toAbsolutePath();
  private static boolean built;

  private TestGuests() {}

  /** The path of {@code name}.wasm, built if needed. */
  static synchronized Path wasm(String name) {
    if (!built) {
      make();
      built = true;
    }
    return OUT.resolve(name + ".wasm");
  }

  private static void make() {
    try {
      Process p =
          new ProcessBuilder("make", "-s", "-C", SOURCES.toString(), "OUT=" + OUT)
              .redirectErrorStream(true)
              .start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(
            "building the test guests failed (expected: clang for wasm32-wasi and wat2wasm on"
                + " PATH):\n"
                + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run make for the test guests: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted building the test guests", e);
    }
  }
}
