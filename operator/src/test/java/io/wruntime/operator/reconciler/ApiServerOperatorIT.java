package io.wruntime.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.kubetest.RealApiServer;
import io.wruntime.kubetest.RecordingClient;
import io.wruntime.operator.Fixtures;
import io.wruntime.operator.OperatorPermissions;
import io.wruntime.operator.WruntimeOperator;
import io.wruntime.operator.config.OperatorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator against a real kube-apiserver with the generated CRD installed: the CRD's CEL rules,
 * the status and scale subresources and server-side apply are the API server's own, and the
 * operator runs as a ServiceAccount holding exactly {@link OperatorPermissions} (RBAC enforced),
 * while a recorder checks it uses every one of them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiServerOperatorIT extends OperatorContract {
  private static final Path ROOT = Path.of(System.getProperty("wr.root", ".."));
  private static RealApiServer api;
  private static KubernetesClient admin;
  private static final RecordingClient recorder = new RecordingClient();

  @BeforeAll
  static void start() throws Exception {
    api = RealApiServer.start();
    api.startGarbageCollector();
    admin = new KubernetesClientBuilder().withConfig(api.adminConfig()).build();
    RealApiServer.installCrd(admin, ROOT.resolve("crds/wasmmodules.wruntime.io.yaml"));
    operator =
        WruntimeOperator.start(
            OperatorConfig.parse(
                "operator.toml",
                Fixtures.OPERATOR_TOML.replace(
                    "enabled = false", "enabled = true\nlease_namespace = \"wruntime-system\"")),
            recorder.client(operatorIdentity()),
            "api-operator-0",
            true,
            () -> {});
  }

  /** A ServiceAccount bound to a ClusterRole with exactly the declared rules. */
  private static Config operatorIdentity() {
    return api.serviceAccount(
        admin,
        "wruntime-system",
        "wr-operator",
        OperatorPermissions.RULES.stream()
            .map(
                rule ->
                    new PolicyRuleBuilder()
                        .withApiGroups(rule.apiGroup())
                        .withResources(rule.resource())
                        .withVerbs(rule.verbs())
                        .build())
            .toList());
  }

  @AfterAll
  static void stop() throws Exception {
    stopOperator();
    if (admin != null) {
      admin.close();
    }
    if (api != null) {
      api.close();
    }
  }

  @Override
  KubernetesClient client() {
    return admin;
  }

  @Test
  void aManifestWithTwoSourcesIsRefusedAtApplyTime() {
    assertThatThrownBy(
            () ->
                apply(
                    Fixtures.ECHO.replace(
                        "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}",
                        "source: {configMapRef: {name: echo-wasm, key: echo.wasm}, image: registry.example.com/e:1}")))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining(
            "exactly one of source.image, source.url or source.configMapRef must be set")
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422));
    assertThat(get("echo")).isNull();
  }

  @Test
  void aBadSemverIsRefusedAtApplyTime() {
    assertThatThrownBy(() -> apply(Fixtures.ECHO.replace("version: 1.0.0", "version: \"1.0\"")))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.version")
        .hasMessageContaining("should match");
  }

  @Test
  void aNameThatIsNoModuleNameNeedsSpecModule() {
    String name = "echo-with-a-name-longer-than-24";
    assertThatThrownBy(() -> apply(Fixtures.ECHO.replace("name: echo,", "name: " + name + ",")))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining(
            "spec.module is required when metadata.name is not a valid module name");
    assertThatThrownBy(() -> apply(Fixtures.ECHO.replace("name: echo,", "name: echo.v2,")))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("metadata.name also names the module's Service");
    createBinaryAndSchema();
    apply(
        Fixtures.ECHO
            .replace("name: echo,", "name: " + name + ",")
            .replace("version: 1.0.0", "version: 1.0.0\n  module: echo"));
    await().atMost(WAIT).until(() -> deployment(name) != null);
    await()
        .atMost(WAIT)
        .until(() -> (ns + ".echo@1.0.0").equals(get(name).getStatus().getModule()));
  }

  @Test
  void theScaleSubresourceScalesTheDeployment() {
    createBinaryAndSchema();
    apply(Fixtures.ECHO);
    await().atMost(WAIT).until(() -> deployment("echo") != null);
    admin.resources(WasmModule.class).inNamespace(ns).withName("echo").scale(3);
    assertThat(get("echo").getSpec().replicas()).isEqualTo(3);
    await().atMost(WAIT).until(() -> deployment("echo").getSpec().getReplicas() == 3);
    rollOut("echo");
    awaitStatus("echo", "Ready", "True", "Ready");
    assertThat(get("echo").getStatus().getReady()).isEqualTo("3/3");
    assertThat(
            admin
                .resources(WasmModule.class)
                .inNamespace(ns)
                .withName("echo")
                .scale()
                .getStatus()
                .getReplicas())
        .isEqualTo(3);
  }

  @Test
  void deletingTheModuleDeletesWhatItOwned() {
    createBinaryAndSchema();
    WasmModule wm = apply(Fixtures.ECHO);
    await().atMost(WAIT).until(() -> deployment("echo") != null);
    await()
        .atMost(WAIT)
        .until(() -> admin.services().inNamespace(ns).withName("echo").get() != null);
    admin.resource(wm).delete();
    // kube-controller-manager's garbage collector watches a resource kind only after its
    // discovery, which runs every 30 s: a WasmModule deleted before it noticed the CRD is
    // collected at the next round.
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              assertThat(deployment("echo")).isNull();
              assertThat(admin.configMaps().inNamespace(ns).withName("echo-engine").get()).isNull();
              assertThat(admin.services().inNamespace(ns).withName("echo").get()).isNull();
            });
    assertThat(admin.configMaps().inNamespace(ns).withName("echo-wasm").get())
        .as("the user's own ConfigMap stays")
        .isNotNull();
  }

  /** Runs last: what the operator did during the suite, as RBAC rules, is what it declares. */
  @Test
  @Order(Integer.MAX_VALUE)
  void theOperatorUsesExactlyTheDeclaredPermissions() {
    Map<String, Set<String>> observed = new TreeMap<>();
    recorder.permissions().forEach((k, v) -> observed.put(k, new TreeSet<>(v)));
    // Every authenticated user may ask what it may do (ClusterRole system:basic-user).
    observed.remove("authorization.k8s.io/selfsubjectrulesreviews");
    OperatorPermissions.CHECKED_NOT_USED.forEach(
        (resource, verbs) ->
            observed.computeIfAbsent(resource, r -> new TreeSet<>()).addAll(verbs));
    Map<String, Set<String>> declared = new TreeMap<>();
    for (OperatorPermissions.Rule rule : OperatorPermissions.RULES) {
      declared.put(rule.apiGroup() + "/" + rule.resource(), new TreeSet<>(rule.verbs()));
    }
    assertThat(recorder.unparsed()).isEmpty();
    assertThat(observed).isEqualTo(declared);
  }
}
