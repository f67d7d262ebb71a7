package io.wruntime.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code helm lint} has nothing to say about the chart: no error, no warning. */
class ChartLintIT {
  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void lintIsCleanWithDefaultValues() {
    assertClean(new Helm(RenderedChart.CHART).lint().strict().call());
  }

  /**
   * helm-java's lint takes no values file: lint a copy of the chart whose values.yaml is the
   * defaults overlaid with the custom values, as {@code helm lint -f custom-values.yaml} would.
   */
  @Test
  void lintIsCleanWithCustomValues(@TempDir Path copy) throws IOException {
    try (Stream<Path> files = Files.walk(RenderedChart.CHART)) {
      for (Path source : files.toList()) {
        Path target = copy.resolve(RenderedChart.CHART.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
    JsonNode values = YAML.readTree(RenderedChart.CHART.resolve("values.yaml").toFile());
    JsonNode custom = YAML.readTree(Path.of("src/test/resources/custom-values.yaml").toFile());
    Files.writeString(
        copy.resolve("values.yaml"), YAML.writeValueAsString(overlay(values, custom)));

    assertClean(new Helm(copy).lint().strict().call());
    assertThat(RenderedChart.render(Path.of("src/test/resources/custom-values.yaml"), Map.of()))
        .as("the merged values are the custom values")
        .satisfies(
            chart ->
                assertThat(
                        new Helm(copy)
                            .template()
                            .withName(RenderedChart.RELEASE)
                            .withNamespace(RenderedChart.NAMESPACE)
                            .call())
                    .isEqualTo(chart.yaml()));
  }

  private static void assertClean(LintResult result) {
    assertThat(result.getMessages())
        .as("helm lint messages")
        .noneMatch(message -> message.contains("[ERROR]") || message.contains("[WARNING]"));
    assertThat(result.isFailed()).as("helm lint failed: %s", result.getMessages()).isFalse();
  }

  private static JsonNode overlay(JsonNode base, JsonNode top) {
    if (!(base instanceof ObjectNode merged) || !top.isObject()) {
      return top;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = top.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode existing = merged.get(field.getKey());
      merged.set(
          field.getKey(),
          existing == null ? field.getValue() : overlay(existing, field.getValue()));
    }
    return merged;
  }
}
