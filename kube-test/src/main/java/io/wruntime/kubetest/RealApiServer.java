package io.wruntime.kubetest;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
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
public final class RealApiServer implements AutoCloseable {
  public static final String VERSION =
      System.getenv().getOrDefault("WRUNTIME_K8S_VERSION", "1.34.3");

  private final KubeAPIServer server;
  private Process controllerManager;
  private Path kubeconfig;

  private RealApiServer(KubeAPIServer server) {
    this.server = server;
  }

  /** The directory kube-api-test runs the binaries from. */
  public static Path binaries() {
    String root =
        System.getenv()
            .getOrDefault("KUBE_API_TEST_DIR", System.getProperty("user.home") + "/.kubeapitest");
    return Path.of(root, "k8s", VERSION + "-linux-amd64");
  }

  public static RealApiServer start() {
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

  /** The admin (system:masters) client configuration. */
  public Config adminConfig() {
    return Config.fromKubeconfig(server.getKubeConfigYaml());
  }

  /** The admin kubeconfig as YAML, e.g. for a child process's {@code KUBECONFIG}. */
  public String adminKubeconfigYaml() {
    return server.getKubeConfigYaml();
  }

  /**
   * Creates a CustomResourceDefinition from a YAML file and waits until the API server serves it.
   */
  public static void installCrd(KubernetesClient admin, Path yaml) throws IOException {
    try (InputStream in = Files.newInputStream(yaml)) {
      CustomResourceDefinition definition =
          admin.apiextensions().v1().customResourceDefinitions().load(in).item();
      admin.resource(definition).create();
      admin
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(definition.getMetadata().getName())
          .waitUntilCondition(
              c ->
                  c.getStatus() != null
                      && c.getStatus().getConditions() != null
                      && c.getStatus().getConditions().stream()
                          .anyMatch(
                              x ->
                                  x.getType().equals("Established")
                                      && x.getStatus().equals("True")),
              30,
              TimeUnit.SECONDS);
    }
  }

  /**
   * A ServiceAccount {@code namespace/name} (the namespace is created when missing) bound to a
   * ClusterRole holding exactly {@code rules}, and a client configuration that authenticates as it
   * with a token: RBAC is enforced on every request made with it.
   */
  public Config serviceAccount(
      KubernetesClient admin, String namespace, String name, List<PolicyRule> rules) {
    if (admin.namespaces().withName(namespace).get() == null) {
      admin
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
    }
    admin
        .serviceAccounts()
        .inNamespace(namespace)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    admin
        .resource(
            new ClusterRoleBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withRules(rules)
                .build())
        .create();
    admin
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", name)
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(name)
                .withNamespace(namespace)
                .endSubject()
                .build())
        .create();
    String token =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(name)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    return new ConfigBuilder(adminConfig())
        .withClientCertData(null)
        .withClientKeyData(null)
        .withClientCertFile(null)
        .withClientKeyFile(null)
        .withOauthToken(token)
        .build();
  }

  /**
   * Starts kube-controller-manager with only its garbage collector, so that owner references delete
   * what a deleted WasmModule owned.
   */
  public void startGarbageCollector() throws IOException {
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
