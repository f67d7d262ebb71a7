package io.wruntime.crds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed CRD copies are exactly what the build generates from the Java model. */
class CrdYamlTest {
  private static final Path ROOT = Path.of(System.getProperty("wr.root", ".."));
  private static final Path GENERATED =
      ROOT.resolve("crds/target/crds").resolve(CrdYamlGenerator.FILE);

  @Test
  void committedCrdIsTheGeneratedOne() throws IOException {
    assertThat(Files.readString(ROOT.resolve("crds").resolve(CrdYamlGenerator.FILE)))
        .as(
            "crds/%s differs from the generated %s: copy the generated file over it",
            CrdYamlGenerator.FILE, GENERATED)
        .isEqualTo(Files.readString(GENERATED));
  }

  @Test
  void chartCrdIsTheGeneratedOne() throws IOException {
    assertThat(Files.readString(ROOT.resolve("helm/wruntime/crds").resolve(CrdYamlGenerator.FILE)))
        .as(
            "helm/wruntime/crds/%s differs from the generated %s: copy the generated file over it",
            CrdYamlGenerator.FILE, GENERATED)
        .isEqualTo(Files.readString(GENERATED));
  }
}
