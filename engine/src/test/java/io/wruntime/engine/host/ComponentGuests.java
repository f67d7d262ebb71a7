package io.wruntime.engine.host;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The WebAssembly component test guests that {@code bin/build-component-guests} builds from source
 * into {@code engine/target/component-guests} (Maven phase {@code generate-test-resources}): one
 * wasi:http incoming handler per toolchain, all answering the same way (docs/components.md):
 *
 * <ul>
 *   <li>{@code /throw}: the guest throws or traps, its message ({@code boom from <guest>}) on
 *       stderr;
 *   <li>{@code GET /call?to=http://ns.module/path}: POSTs {@code hello from <guest>} to {@code to}
 *       and answers with that response's status and body ({@code x-called: <to>});
 *   <li>anything else: 200 with the request body streamed back as it arrives, {@code x-echo-method}
 *       and {@code x-echo-path} (path and query); every response has {@code x-guest: <guest>}.
 * </ul>
 *
 * A toolchain that cannot work on this machine leaves {@code <guest>.skipped} with the reason
 * instead of {@code <guest>.wasm}; {@link #require} then skips the test with that reason. The
 * JavaScript and C guests are required: the build fails without them.
 */
public final class ComponentGuests {
  /** Every guest, by the name of its toolchain. */
  public static final List<String> ALL = List.of("js", "c", "python", "go", "rust");

  /** The guests whose toolchains must work wherever the build runs. */
  public static final List<String> REQUIRED = List.of("js", "c");

  private ComponentGuests() {}

  /** The directory the build writes the guests to. */
  public static Path directory() {
    Path root = Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
    return root.resolve("engine/target/component-guests");
  }

  /**
   * The component of {@code guest} ({@code js}, {@code c}, {@code python}, {@code go}, {@code
   * rust}). A guest whose toolchain was skipped skips the calling test with the recorded reason; a
   * required guest that is missing fails it.
   */
  public static Path require(String guest) {
    Path wasm = directory().resolve(guest + ".wasm");
    Path skipped = directory().resolve(guest + ".skipped");
    if (!Files.exists(wasm) && Files.exists(skipped) && !REQUIRED.contains(guest)) {
      String reason = read(skipped).strip();
      System.out.printf("component guest %s not built: %s%n", guest, reason);
      Assumptions.abort("component guest " + guest + " not built on this machine: " + reason);
    }
    assertThat(wasm)
        .as(
            "component guest %s (bin/build-component-guests --out %s %s)",
            guest, directory(), guest)
        .isRegularFile();
    return wasm;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
