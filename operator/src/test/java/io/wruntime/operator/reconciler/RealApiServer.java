package io.wruntime.operator.reconciler;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real kube-apiserver with etcd (kube-api-test, never downloading), and optionally its
 * kube-controller-manager running only the garbage collector. {@code bin/setup-kube-apiserver}
 * builds the binaries; without them the tests fail and say so.
 */
final class RealApiServer implements AutoCloseable {
  static final String VERSION = System.getenv().getOrDefault("WRUNTIME_K8S_VERSION", "1.34.3");

  private final KubeAPIServer server;
  private Process controllerManager;
  private Path kubeconfig;

  private RealApiServer(KubeAPIServer server) {
    this.server = server;
  }

  /** The directory kube-api-test runs the binaries from. */
  static Path binaries() {
    String root =
        System.getenv()
            .getOrDefault("KUBE_API_TEST_DIR", System.getProperty("user.home") + "/.kubeapitest");
    return Path.of(root, "k8s", VERSION + "-linux-amd64");
  }

  static RealApiServer start() {
    if (!Files.isExecutable(binaries().resolve("kube-apiserver"))) {
      throw new IllegalStateException(
          "no kube-apiserver in "
              + binaries()
              + " (expected: bin/setup-kube-apiserver has built it; bin/test runs it)");
    }
    KubeAPIServer server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withOfflineMode(true)
                .withApiServerVersion(VERSION)
                .build());
    server.start();
    return new RealApiServer(server);
  }

  /** The admin (system:masters) kubeconfig. */
  String kubeConfigYaml() {
    return server.getKubeConfigYaml();
  }

  /** Creates the CRD in {@code file} and waits until the API server serves it. */
  void installCrd(Path file) throws IOException {
    try (io.fabric8.kubernetes.client.KubernetesClient admin =
            new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(adminConfig())
                .build();
        java.io.InputStream in = Files.newInputStream(file)) {
      io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition crd =
          admin.apiextensions().v1().customResourceDefinitions().load(in).item();
      admin.resource(crd).create();
      admin
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(crd.getMetadata().getName())
          .waitUntilCondition(
              c ->
                  c.getStatus() != null
                      && c.getStatus().getConditions().stream()
                          .anyMatch(
                              x ->
                                  x.getType().equals("Established")
                                      && x.getStatus().equals("True")),
              30,
              TimeUnit.SECONDS);
    }
  }

  /** The admin (system:masters) client configuration. */
  Config adminConfig() {
    return Config.fromKubeconfig(server.getKubeConfigYaml());
  }

  /**
   * Starts kube-controller-manager with only its garbage collector, so that owner references delete
   * what a deleted WasmModule owned.
   */
  void startGarbageCollector() throws IOException {
    kubeconfig = Files.createTempFile("wr-kcm", ".kubeconfig");
    Files.writeString(kubeconfig, server.getKubeConfigYaml(), StandardCharsets.UTF_8);
    Path log = Files.createTempFile("wr-kcm", ".log");
    controllerManager =
        new ProcessBuilder(
                List.of(
                    binaries().resolve("kube-controller-manager").toString(),
                    "--kubeconfig=" + kubeconfig,
                    "--controllers=garbagecollector",
                    "--leader-elect=false",
                    "--secure-port=0",
                    "--concurrent-gc-syncs=5"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
  }

  @Override
  public void close() throws InterruptedException, IOException {
    if (controllerManager != null) {
      controllerManager.destroy();
      if (!controllerManager.waitFor(10, TimeUnit.SECONDS)) {
        controllerManager.destroyForcibly();
      }
      Files.deleteIfExists(kubeconfig);
    }
    server.stop();
  }
}
