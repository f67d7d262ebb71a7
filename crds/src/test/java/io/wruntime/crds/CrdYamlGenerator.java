package io.wruntime.crds;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.wruntime.crds.v1alpha1.WasmModule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * Writes the CustomResourceDefinition of the WasmModule into the directory given as the only
 * argument ({@value #FILE}). The build runs it; {@code CrdYamlTest} compares the result with the
 * committed copies. Two things the annotations cannot say are added here: the printer columns in
 * the order users read them, and {@code spec.env} as a list keyed by name (so the API server
 * refuses a name given twice).
 */
public final class CrdYamlGenerator {
  /** The file name of the WasmModule CRD, in {@code crds/} and the chart's {@code crds/}. */
  public static final String FILE = "wasmmodules.wruntime.io.yaml";

  private static final List<String> COLUMN_ORDER =
      List.of("Module", "Version", "Ready", "Status", "Age");

  private static final String HEADER =
      """
      # The WasmModule CustomResourceDefinition, generated from io.wruntime.crds.v1alpha1 by the build
      # (crds/target/crds/). Do not edit: change the Java model, run ./mvnw -pl common,crds install,
      # and copy crds/target/crds/%s to crds/ and helm/wruntime/crds/.
      """
          .formatted(FILE);

  private CrdYamlGenerator() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CrdYamlGenerator OUTPUT_DIR");
    }
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    Path raw = Files.createTempDirectory(dir, "raw");
    int written =
        new CRDGenerator()
            .inOutputDir(raw.toFile())
            .forCRDVersions("v1")
            .withParallelGenerationEnabled(false)
            .customResourceClasses(WasmModule.class)
            .generate();
    if (written != 1) {
      throw new IllegalStateException("expected one CRD, generated " + written);
    }
    CustomResourceDefinition crd;
    Path generated = raw.resolve("wasmmodules.wruntime.io-v1.yml");
    try (InputStream in = Files.newInputStream(generated)) {
      crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
    }
    Files.delete(generated);
    Files.delete(raw);
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      version
          .getAdditionalPrinterColumns()
          .sort(Comparator.comparingInt(CrdYamlGenerator::columnRank));
      JSONSchemaProps env =
          version
              .getSchema()
              .getOpenAPIV3Schema()
              .getProperties()
              .get("spec")
              .getProperties()
              .get("env");
      env.setXKubernetesListType("map");
      env.setXKubernetesListMapKeys(List.of("name"));
    }
    Files.writeString(
        dir.resolve(FILE), HEADER + Serialization.asYaml(crd), StandardCharsets.UTF_8);
  }

  private static int columnRank(CustomResourceColumnDefinition column) {
    int rank = COLUMN_ORDER.indexOf(column.getName());
    if (rank < 0) {
      throw new IllegalStateException("printer column " + column.getName() + " has no place");
    }
    return rank;
  }
}
