package io.wruntime.tests.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * wruntime on a real cluster: k3s in Docker, the four images built by {@code bin/build-images}
 * imported into it, the chart installed with helm-java, the example modules applied; caller's call
 * to echo goes engine → proxy → manager's routing table → echo's pod and back.
 *
 * <p>Run with {@code bin/build-images && ./mvnw -pl tests -am -Pk3s verify
 * -Dit.test=K3sEndToEndIT}. Without a Docker engine it is skipped with the reason.
 */
class K3sEndToEndIT {
  private static final Path ROOT = Path.of(System.getProperty("wr.root", "..")).toAbsolutePath();
  private static final DockerImageName K3S = DockerImageName.parse("rancher/k3s:v1.31.4-k3s1");
  private static final String SYSTEM_NAMESPACE = "wruntime-system";

  /** The Kubernetes namespace of the examples: also their logical namespace (example.echo). */
  /** The Kubernetes namespace of examples/k8s (its modules' logical namespace is "example"). */
  private static final String EXAMPLE_NAMESPACE = "wruntime-examples";

  private static final ResourceDefinitionContext WASM_MODULES =
      new ResourceDefinitionContext.Builder()
          .withGroup("wruntime.io")
          .withVersion("v1alpha1")
          .withPlural("wasmmodules")
          .withKind("WasmModule")
          .withNamespaced(true)
          .build();

  private static K3sContainer k3s;
  private static KubernetesClient client;

  @BeforeAll
  static void startCluster(@TempDir Path images) throws Exception {
    try {
      DockerClientFactory.instance().client();
    } catch (RuntimeException e) {
      String reason = "no Docker engine: " + e.getMessage();
      // Printed too, so that the CI log says why the cluster test did not run.
      System.out.println("K3sEndToEndIT skipped: " + reason);
      assumeTrue(false, reason);
    }
    k3s = new K3sContainer(K3S);
    k3s.start();
    for (String image : buildImagesList()) {
      importImage(image, images);
    }
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml()))
            .build();
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    if (k3s != null) {
      k3s.stop();
    }
  }

  @Test
  void callerReachesEchoThroughTheChartsOperatorAndManager() throws Exception {
    new Helm(ROOT.resolve("helm/wruntime"))
        .install()
        .withName("wruntime")
        .withNamespace(SYSTEM_NAMESPACE)
        .createNamespace()
        .withKubeConfigContents(k3s.getKubeConfigYaml())
        .waitReady()
        .withTimeout(300)
        .call();
    assertThat(
            Helm.test("wruntime")
                .withNamespace(SYSTEM_NAMESPACE)
                .withKubeConfigContents(k3s.getKubeConfigYaml())
                .withTimeout(120)
                .call()
                .getStatus())
        .isEqualTo("deployed");

    applyExamples();
    for (String module : List.of("echo", "caller")) {
      await("WasmModule " + module + " Ready=True")
          .atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofSeconds(2))
          .until(() -> ready(module));
    }

    Pod caller =
        client
            .pods()
            .inNamespace(EXAMPLE_NAMESPACE)
            .withLabel("wruntime.io/module", "caller")
            .list()
            .getItems()
            .getFirst();
    // The proxy's module-traffic port (9001) listens on the pod's loopback: a port-forward reaches
    // it as the engine does, and wr-cli invoke's headers make it route to caller.
    try (LocalPortForward proxy =
        client
            .pods()
            .inNamespace(EXAMPLE_NAMESPACE)
            .withName(caller.getMetadata().getName())
            .portForward(9001)) {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + proxy.getLocalPort() + "/run"))
                      .timeout(Duration.ofSeconds(30))
                      .header("x-wr-destination", "http://example.caller/run")
                      .header("x-wr-source", "k3s-test")
                      .header("x-wr-source-ns", "example")
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("hello");
    }
  }

  /**
   * examples/k8s through kubectl (in the k3s container) when it exists; else the two modules with
   * their wasm binaries and schemas in ConfigMaps, built here.
   */
  private static void applyExamples() throws Exception {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(EXAMPLE_NAMESPACE)
                .endMetadata()
                .build())
        .serverSideApply();
    if (Files.exists(ROOT.resolve("examples/k8s/kustomization.yaml"))) {
      k3s.copyFileToContainer(MountableFile.forHostPath(ROOT.resolve("examples")), "/tmp/examples");
      ExecResult applied =
          k3s.execInContainer(
              "sh",
              "-c",
              "kubectl kustomize --load-restrictor=LoadRestrictionsNone /tmp/examples/k8s"
                  + " | kubectl apply -f -");
      assertThat(applied.getExitCode()).as(applied.getStderr()).isZero();
      return;
    }
    for (String module : List.of("echo", "caller")) {
      Path wasm = ROOT.resolve("examples").resolve(module).resolve(module + ".wasm");
      Path schema = ROOT.resolve("examples/schemas").resolve(module + ".binpb");
      client
          .configMaps()
          .inNamespace(EXAMPLE_NAMESPACE)
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName(module + "-module")
                  .endMetadata()
                  .withBinaryData(
                      Map.of(
                          "module.wasm", base64(wasm),
                          "schema.binpb", base64(schema)))
                  .build())
          .serverSideApply();
      GenericKubernetesResource resource = new GenericKubernetesResource();
      resource.setApiVersion("wruntime.io/v1alpha1");
      resource.setKind("WasmModule");
      resource.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(module).build());
      resource.setAdditionalProperty(
          "spec",
          Map.of(
              "version", "1.0.0",
              "source",
                  Map.of("configMapRef", Map.of("name", module + "-module", "key", "module.wasm")),
              "schema",
                  Map.of(
                      "configMapRef", Map.of("name", module + "-module", "key", "schema.binpb"))));
      client
          .genericKubernetesResources(WASM_MODULES)
          .inNamespace(EXAMPLE_NAMESPACE)
          .resource(resource)
          .serverSideApply();
    }
  }

  private static boolean ready(String module) {
    GenericKubernetesResource resource =
        client
            .genericKubernetesResources(WASM_MODULES)
            .inNamespace(EXAMPLE_NAMESPACE)
            .withName(module)
            .get();
    if (resource == null
        || !(resource.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return false;
    }
    return status.get("conditions") instanceof List<?> conditions
        && conditions.stream()
            .anyMatch(
                c ->
                    c instanceof Map<?, ?> condition
                        && "Ready".equals(condition.get("type"))
                        && "True".equals(condition.get("status")));
  }

  /** The image names bin/build-images gives the images it builds (the chart's defaults). */
  private static List<String> buildImagesList() throws Exception {
    Process process =
        new ProcessBuilder("bash", ROOT.resolve("bin/build-images").toString(), "--list")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.lines().toList();
  }

  /** docker save from the host's engine, ctr import into k3s's containerd. */
  private static void importImage(String image, Path directory) throws Exception {
    Path tar = directory.resolve(image.replaceAll("[^A-Za-z0-9.-]", "_") + ".tar");
    try (InputStream saved = DockerClientFactory.instance().client().saveImageCmd(image).exec()) {
      Files.copy(saved, tar);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          image + " is not in the local Docker engine: run bin/build-images first", e);
    }
    String inContainer = "/tmp/" + tar.getFileName();
    k3s.copyFileToContainer(MountableFile.forHostPath(tar), inContainer);
    ExecResult imported =
        k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", inContainer);
    assertThat(imported.getExitCode())
        .as("ctr import %s: %s", image, imported.getStderr())
        .isZero();
  }

  private static String base64(Path file) throws Exception {
    return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
  }
}
