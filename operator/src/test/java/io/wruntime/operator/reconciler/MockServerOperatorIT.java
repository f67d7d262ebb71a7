package io.wruntime.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.crds.v1alpha1.WasmModuleStatus;
import io.wruntime.operator.Fixtures;
import io.wruntime.operator.WruntimeOperator;
import io.wruntime.operator.config.OperatorConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator against the Fabric8 mock API server in CRUD mode: no CRD validation, so invalid
 * manifests reach the operator, which must refuse them itself.
 */
class MockServerOperatorIT extends OperatorContract {
  private static KubernetesMockServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new KubernetesMixedDispatcher(
                expectations,
                List.of(CustomResourceDefinitionContext.fromCustomResourceType(WasmModule.class))),
            false);
    server.init();
    // Leader election first asks what it may do with Leases; a real API server answers from RBAC,
    // here the answer is what the chart grants.
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(
            201,
            new SelfSubjectRulesReviewBuilder()
                .withNewStatus()
                .addNewResourceRule()
                .withApiGroups("coordination.k8s.io")
                .withResources("leases")
                .withVerbs("create", "get", "update")
                .endResourceRule()
                .withIncomplete(false)
                .endStatus()
                .build())
        .always();
    client = server.createClient();
    client
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName("wruntime-system")
                .endMetadata()
                .build())
        .create();
    OperatorConfig config =
        OperatorConfig.parse(
            "operator.toml",
            Fixtures.OPERATOR_TOML.replace(
                "enabled = false", "enabled = true\nlease_namespace = \"wruntime-system\""));
    // The mock server has no server-side apply: the operator writes with updates and patches.
    operator =
        WruntimeOperator.start(config, server.createClient(), "mock-operator-0", false, () -> {});
  }

  @AfterAll
  static void stop() {
    stopOperator();
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.destroy();
    }
  }

  @Override
  KubernetesClient client() {
    return client;
  }

  @Test
  void twoSourcesReachingTheOperatorAreDegradedWithAnEventAndNoDeployment() {
    createBinaryAndSchema();
    apply(
        Fixtures.ECHO.replace(
            "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}",
            "source: {configMapRef: {name: echo-wasm, key: echo.wasm}, image: registry.example.com/e:1}"));
    WasmModuleStatus status = awaitStatus("echo", "Degraded", "True", "InvalidSpec");
    assertThat(status.condition("Degraded").getMessage())
        .isEqualTo(
            "exactly one of source.image, source.url or source.configMapRef must be set (found 2)");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(events("echo")).extracting(e -> e.getReason()).contains("InvalidSpec"));
    assertThat(deployment("echo")).isNull();
    assertThat(client.configMaps().inNamespace(ns).withName("echo-engine").get()).isNull();
  }

  @Test
  void aBadVersionReachingTheOperatorIsDegraded() {
    createBinaryAndSchema();
    apply(Fixtures.ECHO.replace("version: 1.0.0", "version: one"));
    WasmModuleStatus status = awaitStatus("echo", "Degraded", "True", "InvalidSpec");
    assertThat(status.condition("Degraded").getMessage())
        .isEqualTo(
            "spec.version \"one\" is not a semantic version (expected: MAJOR.MINOR.PATCH, e.g. 1.0.0)");
    assertThat(deployment("echo")).isNull();
  }

  @Test
  void scalingTheModuleScalesTheDeployment() {
    createBinaryAndSchema();
    apply(Fixtures.ECHO);
    await().atMost(WAIT).until(() -> deployment("echo") != null);
    client
        .resources(WasmModule.class)
        .inNamespace(ns)
        .withName("echo")
        .edit(
            w -> {
              w.setSpec(Fixtures.module(Fixtures.ECHO + "  replicas: 3\n").getSpec());
              return w;
            });
    await().atMost(WAIT).until(() -> deployment("echo").getSpec().getReplicas() == 3);
  }

  @Test
  void deletingTheModuleLeavesGarbageCollectionToOwnerReferences() {
    createBinaryAndSchema();
    WasmModule wm = apply(Fixtures.ECHO);
    await().atMost(WAIT).until(() -> deployment("echo") != null);
    assertOwnedBy(deployment("echo"), wm);
    client.resource(wm).delete();
    await().atMost(WAIT).until(() -> get("echo") == null);
    // No finalizer: the WasmModule goes at once; the mock server has no garbage collector, the
    // real API server test shows the cascade.
    assertThat(wm.getMetadata().getFinalizers()).isEmpty();
  }
}
