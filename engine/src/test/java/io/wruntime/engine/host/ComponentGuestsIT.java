package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Each component guest the build made with a real toolchain ({@link ComponentGuests}) is a valid
 * WebAssembly component (layer 1 header) whose world exports wasi:http/incoming-handler at a 0.2
 * patch and imports only WASI interfaces: a toolchain that changed what it emits fails here, not
 * later in an engine test. Needs {@code wasm-tools}; a guest whose toolchain was skipped is skipped
 * with the recorded reason.
 */
class ComponentGuestsIT {
  /** The component binary header: magic, then version 0x0d and layer 1 (core modules: 1, 0). */
  private static final byte[] COMPONENT_HEADER = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};

  private static final Pattern HANDLER_EXPORT =
      Pattern.compile("(?m)^\\s*export wasi:http/incoming-handler@0\\.2\\.\\d+;$");
  private static final Pattern IMPORT = Pattern.compile("(?m)^\\s*import (\\S+);$");

  static final List<String> guests = ComponentGuests.ALL;

  @ParameterizedTest(name = "{0}")
  @FieldSource("guests")
  void guestIsAComponentExportingTheWasiHttpHandler(String guest) throws Exception {
    Path wasm = ComponentGuests.require(guest);
    WasmTools tools = WasmTools.require();

    byte[] header;
    try (InputStream in = Files.newInputStream(wasm)) {
      header = in.readNBytes(COMPONENT_HEADER.length);
    }
    assertThat(header)
        .as("header of %s (%s)", wasm, Arrays.toString(header))
        .isEqualTo(COMPONENT_HEADER);

    tools.run("validate", wasm.toString());
    String wit = tools.run("component", "wit", wasm.toString());
    assertThat(wit).as("world of %s:%n%s", wasm, wit).containsPattern(HANDLER_EXPORT);
    List<String> imports = IMPORT.matcher(wit).results().map(m -> m.group(1)).toList();
    assertThat(imports).as("imports of %s", wasm).isNotEmpty();
    assertThat(imports)
        .as("imports of %s", wasm)
        .allSatisfy(name -> assertThat(name).matches("wasi:[a-z-]+/[a-z-]+@0\\.2\\.\\d+"));
    assertThat(imports)
        .as("imports of %s (every guest makes outgoing calls)", wasm)
        .anySatisfy(name -> assertThat(name).startsWith("wasi:http/outgoing-handler@0.2."));
  }
}
