package io.wruntime.helm;

import static java.util.Objects.requireNonNull;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The manifests of the chart in {@code helm/wruntime} as {@code helm template} renders them, parsed
 * into Fabric8 objects.
 *
 * <p>The operator's tests compare {@link #operatorClusterRoleRules(Map)} with the API calls the
 * operator makes, so the chart grants what the operator needs and nothing more.
 */
public final class RenderedChart {
  /** The repository root (the build sets {@code wr.root}). */
  public static final Path ROOT = Path.of(System.getProperty("wr.root", "..")).toAbsolutePath();

  /** The chart directory. */
  public static final Path CHART = ROOT.resolve("helm/wruntime");

  /** The release name the chart is rendered with. */
  public static final String RELEASE = "wruntime";

  /** The namespace the chart is rendered into. */
  public static final String NAMESPACE = "wruntime-system";

  /** What {@link #renderWithTestHooks(Map)} renames {@code helm.sh/hook} to. */
  public static final String RENAMED_HOOK_ANNOTATION = "rendered.wruntime.io/helm-hook";

  // helm template separates documents with a line "---"; a document may start with "# Source:".
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private final String yaml;
  private final List<HasMetadata> resources;

  private RenderedChart(String yaml, List<HasMetadata> resources) {
    this.yaml = yaml;
    this.resources = List.copyOf(resources);
  }

  /** Renders the chart with its default values and the given {@code --set} values. */
  public static RenderedChart render(Map<String, String> setValues) {
    return render(null, setValues);
  }

  /**
   * Renders the chart with a values file (null: none) and {@code --set} values on top.
   *
   * @throws IllegalStateException with Helm's message when the chart refuses the values
   */
  public static RenderedChart render(Path valuesFile, Map<String, String> setValues) {
    requireNonNull(setValues, "setValues");
    TemplateCommand template =
        new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    if (valuesFile != null) {
      template = template.withValuesFile(valuesFile);
    }
    for (Map.Entry<String, String> value : setValues.entrySet()) {
      template = template.set(value.getKey(), value.getValue());
    }
    return parse(template.call());
  }

  /**
   * Renders the chart with its {@code helm test} hooks as ordinary manifests: helm-java's template
   * leaves hooks out, so this renders a copy whose hook annotations are renamed to {@value
   * #RENAMED_HOOK_ANNOTATION}.
   */
  public static RenderedChart renderWithTestHooks(Map<String, String> setValues) {
    try {
      Path copy = Files.createTempDirectory("wruntime-chart-");
      try (Stream<Path> files = Files.walk(CHART)) {
        for (Path source : files.toList()) {
          Path target = copy.resolve(CHART.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else if (source.startsWith(CHART.resolve("templates/tests"))) {
            Files.writeString(
                target,
                Files.readString(source).replace("helm.sh/hook:", RENAMED_HOOK_ANNOTATION + ":"));
          } else {
            Files.copy(source, target);
          }
        }
      }
      TemplateCommand template =
          new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE);
      for (Map.Entry<String, String> value : setValues.entrySet()) {
        template = template.set(value.getKey(), value.getValue());
      }
      return parse(template.call());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses the output of {@code helm template}: one object per non-empty document. */
  public static RenderedChart parse(String yaml) {
    requireNonNull(yaml, "yaml");
    List<HasMetadata> resources = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
        continue;
      }
      resources.add(Serialization.unmarshal(document, HasMetadata.class));
    }
    return new RenderedChart(yaml, resources);
  }

  /**
   * The rules of the operator's ClusterRole as the chart renders them with its default values and
   * the given {@code --set} values.
   */
  public static List<PolicyRule> operatorClusterRoleRules(Map<String, String> setValues) {
    return render(setValues).get(ClusterRole.class, RELEASE + "-operator").getRules();
  }

  /** The rendered text, as {@code helm template} printed it. */
  public String yaml() {
    return yaml;
  }

  /** Every rendered object, in the order Helm printed them. */
  public List<HasMetadata> resources() {
    return resources;
  }

  /** The objects of one kind. */
  public <T extends HasMetadata> List<T> all(Class<T> kind) {
    return resources.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  /**
   * The object of this kind and name.
   *
   * @throws NoSuchElementException naming what was rendered when there is none
   */
  public <T extends HasMetadata> T get(Class<T> kind, String name) {
    return all(kind).stream()
        .filter(resource -> name.equals(resource.getMetadata().getName()))
        .findFirst()
        .orElseThrow(
            () ->
                new NoSuchElementException(
                    "no "
                        + kind.getSimpleName()
                        + " "
                        + name
                        + " (expected one of: "
                        + resources.stream()
                            .map(r -> r.getKind() + " " + r.getMetadata().getName())
                            .toList()
                        + ")"));
  }
}
