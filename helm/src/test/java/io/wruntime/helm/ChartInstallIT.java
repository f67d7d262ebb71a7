package io.wruntime.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@code helm install} takes from the chart besides the templates: the CRD, the values schema,
 * the notes (client-only dry runs: no cluster needed).
 */
class ChartInstallIT {
  private static final Path GENERATED_CRD =
      RenderedChart.ROOT.resolve("crds/wasmmodules.wruntime.io.yaml");
  private static final Path CHART_CRD =
      RenderedChart.CHART.resolve("crds/wasmmodules.wruntime.io.yaml");

  @Test
  void installsTheGeneratedCrd() throws IOException {
    assertThat(Files.readAllBytes(CHART_CRD))
        .as("helm/wruntime/crds/ is a copy of crds/wasmmodules.wruntime.io.yaml")
        .isEqualTo(Files.readAllBytes(GENERATED_CRD));
    assertThat(new Helm(RenderedChart.CHART).show().crds().call())
        .as("helm show crds: what helm install applies before the templates")
        .contains(Files.readString(GENERATED_CRD).strip());
  }

  @Test
  void valuesOfTheWrongTypeAreRefusedNamingTheKey() {
    assertThatThrownBy(
            () ->
                RenderedChart.render(
                    Path.of("src/test/resources/replicas-not-a-number.yaml"), Map.of()))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("operator.replicas: Invalid type. Expected: integer, given: string");
  }

  @Test
  void unknownPullPoliciesAndMisspelledKeysAreRefused() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("image.pullPolicy", "Sometimes")))
        .hasMessageContaining(
            "image.pullPolicy must be one of the following: \"Always\", \"IfNotPresent\", \"Never\"");
    assertThatThrownBy(() -> RenderedChart.render(Map.of("operator.replica", "2")))
        .hasMessageContaining("operator: Additional property replica is not allowed");
    assertThatThrownBy(
            () -> RenderedChart.render(Map.of("manager.resources.limits.memory", "lots")))
        .hasMessageContaining("manager.resources.limits.memory");
  }

  @Test
  void notesSayWhatWasInstalledAndWhatToRunNext() {
    Release release =
        new Helm(RenderedChart.CHART)
            .install()
            .withName(RenderedChart.RELEASE)
            .withNamespace(RenderedChart.NAMESPACE)
            .set("operator.watchNamespaces[0]", "team-a")
            .dryRun()
            .clientOnly()
            .call();
    assertThat(release.getOutput())
        .contains(
            "operator   deployment/wruntime-operator: 1 replica(s), watching namespaces team-a")
        .contains("gRPC at wruntime-manager.wruntime-system.svc:9000")
        .contains("module pods: wruntime/wr-engine:0.1.0 + wruntime/wr-proxy:0.1.0")
        .contains("helm test wruntime -n wruntime-system")
        .contains("kubectl apply -k examples/k8s/")
        .contains("kubectl wait --for=condition=Ready wm/echo wm/caller");
  }
}
