package io.wruntime.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.wruntime.crds.v1alpha1.KeyReference;
import io.wruntime.crds.v1alpha1.WasmModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The manifests under {@code examples/k8s} are what users apply first (docs/kubernetes.md): each
 * WasmModule passes the operator's validation, names the module and logical namespace the docs
 * call, and refers to ConfigMaps and keys that the kustomization generates.
 */
class ExampleManifestsTest {
  private static final Path K8S =
      Path.of(System.getProperty("wr.root", ".."), "examples", "k8s").toAbsolutePath().normalize();

  private static WasmModule module(String file) throws IOException {
    return Serialization.unmarshal(Files.readString(K8S.resolve(file)), WasmModule.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> kustomization() throws IOException {
    return Serialization.unmarshal(Files.readString(K8S.resolve("kustomization.yaml")), Map.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, List<String>> generatedFiles() throws IOException {
    List<Map<String, Object>> generators =
        (List<Map<String, Object>>) kustomization().get("configMapGenerator");
    return generators.stream()
        .collect(Collectors.toMap(g -> (String) g.get("name"), g -> (List<String>) g.get("files")));
  }

  @Test
  void echoAndCallerPassTheOperatorsValidation() throws IOException {
    for (String file : List.of("echo.yaml", "caller.yaml")) {
      assertThat(ModuleValidator.validate(module(file))).as(file).isEmpty();
    }
  }

  @Test
  void theModulesAreExampleEchoAndExampleCallerAtVersion1() throws IOException {
    WasmModule echo = module("echo.yaml");
    WasmModule caller = module("caller.yaml");
    assertThat(echo.getMetadata().getName()).isEqualTo("echo");
    assertThat(echo.moduleName()).isEqualTo("echo");
    assertThat(echo.logicalNamespace()).isEqualTo("example");
    assertThat(echo.getSpec().version()).isEqualTo("1.0.0");
    assertThat(caller.getMetadata().getName()).isEqualTo("caller");
    assertThat(caller.moduleName()).isEqualTo("caller");
    // caller calls http://example.echo/...: the two share the logical namespace.
    assertThat(caller.logicalNamespace()).isEqualTo("example");
    assertThat(caller.getSpec().version()).isEqualTo("1.0.0");
  }

  @Test
  void everyModuleHasItsOwnSchemaAsTheOperatorRequires() throws IOException {
    for (String file : List.of("echo.yaml", "caller.yaml")) {
      assertThat(module(file).getSpec().schema()).as(file).isNotNull();
      assertThat(module(file).getSpec().schema().configMapRef()).as(file).isNotNull();
    }
  }

  @Test
  void everyConfigMapReferenceIsGeneratedWithItsKey() throws IOException {
    Map<String, List<String>> generated = generatedFiles();
    for (String file : List.of("echo.yaml", "caller.yaml")) {
      WasmModule wm = module(file);
      for (KeyReference ref :
          List.of(wm.getSpec().source().configMapRef(), wm.getSpec().schema().configMapRef())) {
        assertThat(generated).as(file).containsKey(ref.name());
        // configMapGenerator keys each file by its base name.
        assertThat(generated.get(ref.name()))
            .as(file + ": ConfigMap " + ref.name())
            .anyMatch(path -> Path.of(path).getFileName().toString().equals(ref.key()));
      }
    }
  }

  @Test
  void theGeneratedFilesAreWhatTheExamplesBuildWrites() throws IOException {
    Path examples = K8S.getParent();
    assertThat(
            generatedFiles().values().stream()
                .flatMap(List::stream)
                .map(path -> examples.relativize(K8S.resolve(path).normalize()).toString())
                .sorted())
        .containsExactly(
            "caller/caller.wasm", "echo/echo.wasm", "schemas/caller.binpb", "schemas/echo.binpb");
  }

  @Test
  @SuppressWarnings("unchecked")
  void kustomizeRewritesTheHashedNamesInsideWasmModules() throws IOException {
    assertThat((List<String>) kustomization().get("configurations"))
        .containsExactly("configurations.yaml");
    Map<String, Object> configurations =
        Serialization.unmarshal(Files.readString(K8S.resolve("configurations.yaml")), Map.class);
    List<Map<String, Object>> references =
        (List<Map<String, Object>>) configurations.get("nameReference");
    assertThat(references).extracting(r -> r.get("kind")).containsExactly("ConfigMap");
    List<Map<String, Object>> fieldSpecs =
        (List<Map<String, Object>>) references.getFirst().get("fieldSpecs");
    assertThat(fieldSpecs)
        .allSatisfy(
            spec -> {
              assertThat(spec.get("group")).isEqualTo(WasmModule.GROUP);
              assertThat(spec.get("kind")).isEqualTo(WasmModule.KIND);
            })
        .extracting(spec -> spec.get("path"))
        .containsExactlyInAnyOrder(
            "spec/source/configMapRef/name", "spec/schema/configMapRef/name");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theModulesGoIntoTheNamespaceTheDocsName() throws IOException {
    Map<String, Object> kustomization = kustomization();
    assertThat(kustomization.get("namespace")).isEqualTo("wruntime-examples");
    assertThat((List<String>) kustomization.get("resources"))
        .containsExactly("namespace.yaml", "echo.yaml", "caller.yaml");
    Namespace namespace =
        Serialization.unmarshal(Files.readString(K8S.resolve("namespace.yaml")), Namespace.class);
    assertThat(namespace.getMetadata().getName()).isEqualTo("wruntime-examples");
  }
}
