package io.wruntime.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The container images: each Dockerfile under images/ copies what the Maven package phase produced
 * and starts the right main class; bin/build-images names them as the chart expects.
 */
class ImageBuildIT {
  private static final Path ROOT = RenderedChart.ROOT;
  private static final String VERSION = System.getProperty("wr.project.version", "0.1.0-SNAPSHOT");
  private static final Pattern ARG = Pattern.compile("^ARG (\\w+)=(\\S+)$", Pattern.MULTILINE);
  private static final Pattern COPY = Pattern.compile("^COPY (\\S+) (\\S+)$", Pattern.MULTILINE);
  private static final Pattern ENTRYPOINT =
      Pattern.compile("^ENTRYPOINT \\[(.*)]$", Pattern.MULTILINE);
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}");

  @ParameterizedTest
  @ValueSource(strings = {"engine", "proxy", "manager", "operator"})
  void dockerfileCopiesThePackageOutputAndStartsItsMainClass(String image) throws IOException {
    Path dockerfile = ROOT.resolve("images").resolve(image).resolve("Dockerfile");
    String text = Files.readString(dockerfile);
    List<String> entrypoint = entrypoint(text);
    String mainClass = entrypoint.getLast();
    if (image.equals("operator")) {
      assumeTrue(
          Files.exists(
              ROOT.resolve("operator/src/main/java/io/wruntime/operator/OperatorMain.java")),
          "the operator (" + mainClass + ") is not written yet on this branch");
    }

    Map<String, String> args = new HashMap<>();
    Matcher arg = ARG.matcher(text);
    while (arg.find()) {
      args.put(arg.group(1), arg.group(2));
    }
    assertThat(args).containsEntry("WR_VERSION", VERSION);

    List<Path> sources = new ArrayList<>();
    Matcher copy = COPY.matcher(text);
    while (copy.find()) {
      sources.add(ROOT.resolve(expand(copy.group(1), args)));
    }
    assertThat(sources).as("COPY lines of %s", dockerfile).hasSize(2);
    Path lib = sources.get(0);
    Path jar = sources.get(1);
    assertThat(lib).as("the dependencies, from maven-dependency-plugin").isDirectory();
    try (Stream<Path> jars = Files.list(lib)) {
      assertThat(jars.filter(p -> p.toString().endsWith(".jar")).count()).isPositive();
    }
    assertThat(jar).as("the module's jar").isRegularFile();
    try (JarFile classes = new JarFile(jar.toFile())) {
      assertThat(classes.getEntry(mainClass.replace('.', '/') + ".class"))
          .as("%s in %s", mainClass, jar)
          .isNotNull();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"engine", "proxy", "manager", "operator"})
  void imagesRunAsTheChartsUserAndSizeTheHeapFromTheContainer(String image) throws IOException {
    String text = Files.readString(ROOT.resolve("images").resolve(image).resolve("Dockerfile"));
    assertThat(text).containsPattern("(?m)^USER 10001:10001$");
    assertThat(entrypoint(text))
        .startsWith(
            "java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=50", "-XX:+ExitOnOutOfMemoryError")
        .contains("-XX:TrimNativeHeapInterval=1000")
        .noneMatch(flag -> flag.startsWith("-Xmx") || flag.startsWith("-Xms"));
    assertThat(text).containsPattern("(?m)^ARG BASE_IMAGE=eclipse-temurin:2[1-9]-jre$");
  }

  @Test
  void chartDefaultsAreTheImagesBuildImagesBuilds() throws Exception {
    RenderedChart chart = RenderedChart.render(Map.of());
    List<String> chartImages = new ArrayList<>();
    for (Deployment deployment : chart.all(Deployment.class)) {
      chartImages.add(
          deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage());
    }
    JsonNode toml = ChartTemplateIT.operatorToml(chart);
    chartImages.add(toml.at("/engine/image").asText());
    chartImages.add(toml.at("/proxy/image").asText());

    Result built = run(Map.of(), "--list");
    assertThat(built.exitCode()).as(built.output()).isZero();
    assertThat(built.output().lines().toList()).containsExactlyInAnyOrderElementsOf(chartImages);

    Result custom =
        run(
            Map.of("WR_IMAGE_REGISTRY", "registry.example.com/platform", "WR_IMAGE_TAG", "1.2.3"),
            "--list");
    assertThat(custom.output().lines()).contains("registry.example.com/platform/wr-operator:1.2.3");
  }

  @Test
  void buildImagesSaysSoWhenThereIsNoContainerEngine() throws Exception {
    Result result = run(Map.of("WR_CONTAINER_ENGINE", "no-such-engine"));
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.output())
        .contains("no-such-engine: not on PATH")
        .contains("no container engine to build the images with");
  }

  private static List<String> entrypoint(String dockerfile) {
    Matcher matcher = ENTRYPOINT.matcher(dockerfile);
    assertThat(matcher.find()).as("an exec-form ENTRYPOINT").isTrue();
    List<String> words = new ArrayList<>();
    for (String word : matcher.group(1).split(",")) {
      words.add(word.strip().replaceAll("^\"|\"$", ""));
    }
    return words;
  }

  private static String expand(String path, Map<String, String> args) {
    Matcher variable = VARIABLE.matcher(path);
    StringBuilder expanded = new StringBuilder();
    while (variable.find()) {
      String value = args.get(variable.group(1));
      assertThat(value).as("ARG %s of %s", variable.group(1), path).isNotNull();
      variable.appendReplacement(expanded, Matcher.quoteReplacement(value));
    }
    return variable.appendTail(expanded).toString();
  }

  private record Result(int exitCode, String output) {}

  private static Result run(Map<String, String> env, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("bash", ROOT.resolve("bin/build-images").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("WR_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }
}
