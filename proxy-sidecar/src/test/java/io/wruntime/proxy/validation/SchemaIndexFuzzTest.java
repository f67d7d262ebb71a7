package io.wruntime.proxy.validation;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SchemaIndex#parse} on the example schemas (serialized {@code FileDescriptorSet}s, as
 * engines register them) with fuzzed byte edits: a schema is indexed or refused with {@link
 * IllegalArgumentException}; nothing else escapes.
 */
class SchemaIndexFuzzTest {
  private static List<byte[]> schemas;

  @BeforeAll
  static void readSchemas() throws IOException {
    Path root = Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
    schemas =
        List.of(
            Files.readAllBytes(root.resolve("examples/schemas/echo.binpb")),
            Files.readAllBytes(root.resolve("examples/schemas/caller.binpb")));
  }

  @FuzzTest
  void parse(FuzzedDataProvider data) {
    byte[] schema = schemas.get(data.consumeInt(0, schemas.size() - 1)).clone();
    int edits = data.consumeInt(0, 8);
    for (int i = 0; i < edits && schema.length > 0; i++) {
      int at = data.consumeInt(0, schema.length - 1);
      if (data.consumeBoolean()) {
        schema[at] = data.consumeByte();
      } else {
        schema = java.util.Arrays.copyOf(schema, at);
      }
    }
    SchemaIndex index;
    try {
      index = SchemaIndex.parse(schema);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("the schema");
      return;
    }
    for (String service : index.serviceNames()) {
      assertThat(index.service(service)).isNotNull();
    }
  }
}
