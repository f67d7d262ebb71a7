package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The {@code wasm-tools} command of the WIT tests: {@code WASM_TOOLS}, or {@code wasm-tools} on the
 * PATH ({@code bin/setup-toolchain} installs it; {@code bin/test} sets {@code WASM_TOOLS}).
 */
public final class WasmTools {
  private final Path executable;

  private WasmTools(Path executable) {
    this.executable = executable;
  }

  /** The tool, or null when there is none. */
  public static WasmTools find() {
    String configured = System.getenv("WASM_TOOLS");
    if (configured != null && !configured.isBlank()) {
      return new WasmTools(Path.of(configured));
    }
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(entry, "wasm-tools");
      if (Files.isExecutable(candidate)) {
        return new WasmTools(candidate);
      }
    }
    return null;
  }

  /** The tool; the test is skipped (with the reason) when there is none. */
  public static WasmTools require() {
    WasmTools tools = find();
    Assumptions.assumeTrue(tools != null, "wasm-tools not found (PATH or WASM_TOOLS)");
    return tools;
  }

  public Path executable() {
    return executable;
  }

  /** Runs {@code wasm-tools args...}; its output (stdout and stderr). Fails the test unless 0. */
  public String run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    assertThat(exit).as("%s failed:%n%s", String.join(" ", command), output).isZero();
    return output;
  }
}
