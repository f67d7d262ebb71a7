package io.wruntime.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.crds.v1alpha1.WasmModuleStatus;
import io.wruntime.operator.Fixtures;
import io.wruntime.operator.WruntimeOperator;
import io.wruntime.operator.model.Labels;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the operator does for a user, on any API server: subclasses run it against the Fabric8 mock
 * server in CRUD mode and against a real kube-apiserver with the CRD installed. Neither runs a
 * Deployment controller, so tests play its part by writing a Deployment's status.
 */
abstract class OperatorContract {
  static final Duration WAIT = Duration.ofSeconds(30);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  /** A real (tiny) wasm module header and a real FileDescriptorSet (one empty file "e.proto"). */
  static final byte[] WASM = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

  static final byte[] SCHEMA = {0x0a, 0x09, 0x0a, 0x07, 'e', '.', 'p', 'r', 'o', 't', 'o'};

  static WruntimeOperator operator;

  String ns;

  abstract KubernetesClient client();

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  @BeforeEach
  void namespace() {
    ns =
        "t"
            + NAMESPACES.incrementAndGet()
            + "-"
            + getClass().getSimpleName().toLowerCase().substring(0, 4);
    client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
  }

  void createBinaryAndSchema() {
    createBinaryConfigMap("echo-wasm", "echo.wasm", WASM);
    createBinaryConfigMap("echo-schema", "echo.binpb", SCHEMA);
  }

  void createBinaryConfigMap(String name, String key, byte[] content) {
    client()
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withBinaryData(Map.of(key, Base64.getEncoder().encodeToString(content)))
                .build())
        .create();
  }

  WasmModule apply(String yaml) {
    WasmModule wm = Fixtures.module(yaml);
    wm.getMetadata().setNamespace(ns);
    wm.getMetadata().setUid(null);
    wm.getMetadata().setGeneration(null);
    return client().resource(wm).create();
  }

  WasmModule get(String name) {
    return client().resources(WasmModule.class).inNamespace(ns).withName(name).get();
  }

  Deployment deployment(String name) {
    return client().apps().deployments().inNamespace(ns).withName(name).get();
  }

  WasmModuleStatus awaitStatus(String name, String type, String status, String reason) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              WasmModule wm = get(name);
              assertThat(wm.getStatus()).as("status of %s", name).isNotNull();
              assertThat(wm.getStatus().condition(type))
                  .as("condition %s of %s: %s", type, name, wm.getStatus().getConditions())
                  .isNotNull()
                  .satisfies(
                      c -> {
                        assertThat(c.getStatus()).isEqualTo(status);
                        assertThat(c.getReason()).isEqualTo(reason);
                      });
            });
    return get(name).getStatus();
  }

  /** Plays the Deployment controller: every replica updated, ready and available. */
  void rollOut(String name) {
    Deployment d = deployment(name);
    int replicas = d.getSpec().getReplicas();
    d.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(d.getMetadata().getGeneration())
            .withReplicas(replicas)
            .withUpdatedReplicas(replicas)
            .withReadyReplicas(replicas)
            .withAvailableReplicas(replicas)
            .build());
    client().apps().deployments().inNamespace(ns).resource(d).updateStatus();
  }

  static void assertOwnedBy(HasMetadata owned, WasmModule owner) {
    assertThat(owned.getMetadata().getOwnerReferences())
        .as("owner references of %s", owned.getMetadata().getName())
        .singleElement()
        .satisfies(
            (OwnerReference ref) -> {
              assertThat(ref.getKind()).isEqualTo("WasmModule");
              assertThat(ref.getApiVersion()).isEqualTo("wruntime.io/v1alpha1");
              assertThat(ref.getName()).isEqualTo(owner.getMetadata().getName());
              assertThat(ref.getUid()).isEqualTo(owner.getMetadata().getUid());
              assertThat(ref.getController()).isTrue();
            });
  }

  List<Event> events(String name) {
    return client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  @Test
  void aModuleBecomesAConfigMapADeploymentAndAServiceItOwns() {
    createBinaryAndSchema();
    WasmModule wm = apply(Fixtures.ECHO);
    await().atMost(WAIT).until(() -> deployment("echo") != null);
    Deployment d = deployment("echo");
    assertThat(d.getSpec().getTemplate().getSpec().getContainers())
        .extracting(c -> c.getName())
        .containsExactly("engine", "proxy");
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe())
        .isNotNull();
    assertThat(
            d.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getSecurityContext()
                .getReadOnlyRootFilesystem())
        .isTrue();
    assertThat(d.getMetadata().getLabels())
        .containsEntry(Labels.MODULE, "echo")
        .containsEntry(Labels.NAMESPACE, ns)
        .containsEntry(Labels.MODULE_VERSION, "1.0.0");
    ConfigMap config = client().configMaps().inNamespace(ns).withName("echo-engine").get();
    assertThat(config.getData().get("engine.toml")).contains("version = \"1.0.0\"");
    assertThat(Base64.getDecoder().decode(config.getBinaryData().get("schema.binpb")))
        .isEqualTo(SCHEMA);
    Service service = client().services().inNamespace(ns).withName("echo").get();
    assertThat(service.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(9443);
    assertThat(service.getSpec().getSelector()).isEqualTo(Labels.selector(wm));
    for (HasMetadata owned : List.of(d, config, service)) {
      assertOwnedBy(owned, wm);
    }
    WasmModuleStatus status = awaitStatus("echo", "Progressing", "True", "RollingOut");
    assertThat(status.getModule()).isEqualTo(ns + ".echo@1.0.0");
  }

  @Test
  void readyOnceTheDeploymentIsWithTheCurrentGeneration() {
    createBinaryAndSchema();
    apply(Fixtures.ECHO);
    await().atMost(WAIT).until(() -> deployment("echo") != null);
    rollOut("echo");
    WasmModuleStatus status = awaitStatus("echo", "Ready", "True", "Ready");
    WasmModule wm = get("echo");
    assertThat(status.getObservedGeneration()).isEqualTo(wm.getMetadata().getGeneration());
    assertThat(status.condition("Ready").getObservedGeneration())
        .isEqualTo(wm.getMetadata().getGeneration());
    assertThat(status.getReady()).isEqualTo("1/1");
    assertThat(status.getReadyReplicas()).isEqualTo(1);
    assertThat(status.getState()).isEqualTo("Ready");
  }

  @Test
  void aNewVersionRollsThePods() {
    createBinaryAndSchema();
    apply(Fixtures.ECHO);
    await().atMost(WAIT).until(() -> deployment("echo") != null);
    String hash =
        deployment("echo")
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(Labels.CONFIG_HASH);
    WasmModule wm = get("echo");
    client()
        .resources(WasmModule.class)
        .inNamespace(ns)
        .withName("echo")
        .edit(
            w -> {
              w.setSpec(Fixtures.module(Fixtures.ECHO.replace("1.0.0", "1.1.0")).getSpec());
              return w;
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(deployment("echo").getSpec().getTemplate().getMetadata().getLabels())
                    .containsEntry(Labels.MODULE_VERSION, "1.1.0"));
    assertThat(
            deployment("echo")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(Labels.CONFIG_HASH))
        .isNotEqualTo(hash);
    assertThat(
            client()
                .configMaps()
                .inNamespace(ns)
                .withName("echo-engine")
                .get()
                .getData()
                .get("engine.toml"))
        .contains("version = \"1.1.0\"");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(get("echo").getStatus().getObservedGeneration())
                    .isGreaterThan(wm.getMetadata().getGeneration()));
  }

  @Test
  void aMissingConfigMapIsDegradedWithAnEventAndCreatesNothingUntilItAppears() {
    apply(Fixtures.ECHO);
    WasmModuleStatus status = awaitStatus("echo", "Degraded", "True", "ConfigMapNotFound");
    assertThat(status.condition("Degraded").getMessage())
        .contains("ConfigMap echo-wasm (source.configMapRef) does not exist in namespace " + ns);
    assertThat(status.condition("Ready").getStatus()).isEqualTo("False");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(events("echo"))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getReason()).isEqualTo("ConfigMapNotFound");
                        }));
    assertThat(deployment("echo")).isNull();
    assertThat(client().configMaps().inNamespace(ns).withName("echo-engine").get()).isNull();
    assertThat(client().services().inNamespace(ns).withName("echo").get()).isNull();

    createBinaryAndSchema();
    await().atMost(WAIT).until(() -> deployment("echo") != null);
    awaitStatus("echo", "Degraded", "False", "AsExpected");
  }

  @Test
  void anEngineThatCannotLoadItsModuleMakesItDegradedWithTheEnginesReason() throws Exception {
    createBinaryAndSchema();
    apply(Fixtures.ECHO);
    await().atMost(WAIT).until(() -> deployment("echo") != null);
    // No kubelet here: the test plays one, with an engine pod whose /readyz says what failed.
    HttpServer engine = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    engine.createContext(
        "/readyz",
        exchange -> {
          byte[] body =
              ("{\"status\":\"not_ready\",\"modules\":[{\"module\":\""
                      + ns
                      + ".echo@1.0.0\",\"state\":\"failed\",\"error\":\"sha256 digest mismatch:"
                      + " expected sha256:aa, got sha256:bb\"}]}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(503, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    engine.start();
    try {
      Deployment d = deployment("echo");
      Pod pod =
          new PodBuilder()
              .withNewMetadata()
              .withName("echo-6d9f-abcde")
              .withNamespace(ns)
              .withLabels(d.getSpec().getTemplate().getMetadata().getLabels())
              .endMetadata()
              .withSpec(d.getSpec().getTemplate().getSpec())
              .build();
      pod.getSpec()
          .getContainers()
          .get(0)
          .getPorts()
          .get(0)
          .setContainerPort(engine.getAddress().getPort());
      pod = client().resource(pod).create();
      pod.setStatus(
          new PodStatusBuilder()
              .withPhase("Running")
              .withPodIP("127.0.0.1")
              .addNewContainerStatus()
              .withName("engine")
              .withReady(false)
              .withNewState()
              .withNewRunning()
              .endRunning()
              .endState()
              .endContainerStatus()
              .build());
      client().pods().inNamespace(ns).resource(pod).updateStatus();
      WasmModuleStatus status = awaitStatus("echo", "Degraded", "True", "ModuleLoadFailed");
      assertThat(status.condition("Degraded").getMessage())
          .isEqualTo(
              "pod echo-6d9f-abcde: module "
                  + ns
                  + ".echo@1.0.0 failed to load: sha256 digest mismatch: expected sha256:aa, got"
                  + " sha256:bb");
      assertThat(status.condition("Ready").getStatus()).isEqualTo("False");
    } finally {
      engine.stop(0);
    }
  }

  @Test
  void aMissingSecretKeyIsNamed() {
    createBinaryAndSchema();
    client()
        .secrets()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("tokens")
                .endMetadata()
                .withData(Map.of("other", "eA=="))
                .build())
        .create();
    apply(Fixtures.ECHO + "  env: [{name: TOKEN, secretKeyRef: {name: tokens, key: api}}]\n");
    WasmModuleStatus status = awaitStatus("echo", "Degraded", "True", "SecretKeyNotFound");
    assertThat(status.condition("Degraded").getMessage())
        .isEqualTo("Secret tokens (spec.env TOKEN) has no key api (it has: other)");
    assertThat(deployment("echo")).isNull();
  }
}
