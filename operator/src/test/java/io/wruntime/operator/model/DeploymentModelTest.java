package io.wruntime.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.wruntime.operator.Fixtures;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DeploymentModelTest {
  private static final String FULL =
      """
      apiVersion: wruntime.io/v1alpha1
      kind: WasmModule
      metadata: {name: orders, namespace: shop, uid: u1, generation: 4}
      spec:
        module: orders
        namespace: commerce
        version: 2.1.0
        replicas: 3
        source: {configMapRef: {name: orders-wasm, key: orders.wasm}}
        schema: {inline: AQID}
        env:
          - {name: GREETING, value: "hi $USER"}
          - {name: API_TOKEN, secretKeyRef: {name: tokens, key: api}}
        capabilities:
          db: {secretRef: {name: orders-db, key: url}}
          fs: {mode: tempdir}
        resources:
          engine: {requests: {cpu: "1"}, limits: {memory: 1Gi}}
        nodeSelector: {kubernetes.io/arch: amd64}
        tolerations: [{key: dedicated, operator: Equal, value: wasm, effect: NoSchedule}]
        serviceAccountName: orders-sa
        podLabels: {team: checkout, app.kubernetes.io/name: spoofed}
        podAnnotations: {prometheus.io/scrape: "true"}
      """;

  private static Map<String, Container> containers(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().stream()
        .collect(Collectors.toMap(Container::getName, Function.identity()));
  }

  @Test
  void podHasTheEngineAndItsProxySidecarHardenedAndProbed() {
    Deployment d = DeploymentModel.build(Fixtures.plan(Fixtures.ECHO));
    assertThat(d.getMetadata().getName()).isEqualTo("echo");
    assertThat(d.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    Map<String, Container> containers = containers(d);
    assertThat(containers).containsOnlyKeys("engine", "proxy");
    Container engine = containers.get("engine");
    assertThat(engine.getImage()).isEqualTo("wruntime/wr-engine:0.1.0");
    assertThat(engine.getArgs()).containsExactly("--config", "/etc/wruntime/engine.toml");
    assertThat(engine.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(engine.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(engine.getStartupProbe().getHttpGet().getPort().getStrVal())
        .isEqualTo("engine-admin");
    assertThat(engine.getResources().getRequests()).containsKeys("cpu", "memory");
    Container proxy = containers.get("proxy");
    assertThat(proxy.getImage()).isEqualTo("wruntime/wr-proxy:0.1.0");
    assertThat(proxy.getPorts())
        .extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("peer:9443", "proxy-admin:9091");
    assertThat(proxy.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    for (Container c : containers.values()) {
      assertThat(c.getSecurityContext().getRunAsNonRoot()).as(c.getName()).isTrue();
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(c.getEnv()).extracting(EnvVar::getName).contains("POD_IP", "POD_NAME");
      assertThat(c.getEnv())
          .filteredOn(e -> e.getName().equals("OTEL_EXPORTER_OTLP_ENDPOINT"))
          .extracting(EnvVar::getValue)
          .containsExactly("http://otel-collector.observability:4318");
    }
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getImagePullSecrets()).extracting("name").containsExactly("registry-creds");
    Map<String, Volume> volumes =
        pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, Function.identity()));
    assertThat(volumes.get("module").getConfigMap().getName()).isEqualTo("echo-wasm");
    assertThat(volumes.get("module").getConfigMap().getItems().get(0).getKey())
        .isEqualTo("echo.wasm");
    assertThat(volumes.get("config").getConfigMap().getName()).isEqualTo("echo-engine");
  }

  @Test
  void theNodeTlsSecretIsMountedIntoTheProxyOnly() {
    PodSpec plain =
        DeploymentModel.build(Fixtures.plan(Fixtures.ECHO)).getSpec().getTemplate().getSpec();
    Deployment d = DeploymentModel.build(Fixtures.planWithNodeTls(Fixtures.ECHO));
    PodSpec pod = d.getSpec().getTemplate().getSpec();

    assertThat(plain.getVolumes()).extracting(Volume::getName).doesNotContain("node-tls");
    Volume volume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals("node-tls"))
            .findFirst()
            .orElseThrow();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("wruntime-node-tls");
    assertThat(volume.getSecret().getItems())
        .extracting(i -> i.getKey())
        .containsExactly("tls.crt", "tls.key", "ca.crt");
    Map<String, Container> containers = containers(d);
    assertThat(containers.get("proxy").getVolumeMounts())
        .filteredOn(m -> m.getName().equals("node-tls"))
        .extracting(m -> m.getMountPath())
        .containsExactly("/var/run/secrets/wruntime/node-tls");
    assertThat(containers.get("engine").getVolumeMounts())
        .extracting(m -> m.getName())
        .doesNotContain("node-tls");
  }

  @Test
  void labelsNameTheModuleAndTheSelectorNeverNamesTheVersion() {
    Deployment d = DeploymentModel.build(Fixtures.plan(FULL));
    assertThat(d.getMetadata().getLabels())
        .containsEntry("wruntime.io/module", "orders")
        .containsEntry("wruntime.io/namespace", "commerce")
        .containsEntry("wruntime.io/version", "2.1.0")
        .containsEntry("app.kubernetes.io/managed-by", "wruntime-operator")
        .containsEntry("app.kubernetes.io/part-of", "wruntime");
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .containsOnlyKeys("app.kubernetes.io/name", "app.kubernetes.io/instance");
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsEntry("team", "checkout");
    assertThat(podLabels).containsEntry("app.kubernetes.io/name", "wr-engine");
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsKey("wruntime.io/config-hash");
  }

  @Test
  void userSchedulingResourcesSecretsAndCapabilitiesReachThePod() {
    Deployment d = DeploymentModel.build(Fixtures.plan(FULL));
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/arch", "amd64");
    assertThat(pod.getTolerations()).extracting("key").containsExactly("dedicated");
    assertThat(pod.getServiceAccountName()).isEqualTo("orders-sa");
    Container engine = containers(d).get("engine");
    assertThat(engine.getResources().getLimits().get("memory").toString()).isEqualTo("1Gi");
    EnvVar token =
        engine.getEnv().stream()
            .filter(e -> e.getName().equals("WR_ENV_API_TOKEN"))
            .findFirst()
            .orElseThrow();
    assertThat(token.getValue()).isNull();
    assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("tokens");
    assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("api");
    Volume db =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals("capability-db"))
            .findFirst()
            .orElseThrow();
    assertThat(db.getSecret().getSecretName()).isEqualTo("orders-db");
    assertThat(engine.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("capability-db");
              assertThat(m.getMountPath()).isEqualTo("/var/run/secrets/wruntime/db");
              assertThat(m.getReadOnly()).isTrue();
            });
  }

  @Test
  void aNewVersionChangesThePodTemplateSoThePodsRoll() {
    Deployment v1 = DeploymentModel.build(Fixtures.plan(Fixtures.ECHO));
    Deployment v2 =
        DeploymentModel.build(
            Fixtures.plan(Fixtures.ECHO.replace("version: 1.0.0", "version: 1.1.0")));
    assertThat(v2.getSpec().getTemplate()).isNotEqualTo(v1.getSpec().getTemplate());
    assertThat(v2.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_HASH))
        .isNotEqualTo(
            v1.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_HASH));
    assertThat(v2.getSpec().getSelector()).isEqualTo(v1.getSpec().getSelector());
  }

  @Test
  void sameInputSameDeployment() {
    assertThat(DeploymentModel.build(Fixtures.plan(FULL)))
        .isEqualTo(DeploymentModel.build(Fixtures.plan(FULL)));
  }

  private static final String IMAGE =
      Fixtures.ECHO.replace(
          "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}",
          "source: {image: \"registry.example.com/team/echo:1.0.0\", imagePullSecrets: [{name:"
              + " team-pull}, {name: org-pull}]}");

  @Test
  void anImageSourceMountsEachPullSecretAndNoModuleConfigMap() {
    PodSpec pod = DeploymentModel.build(Fixtures.plan(IMAGE)).getSpec().getTemplate().getSpec();
    Map<String, Volume> volumes =
        pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, Function.identity()));

    assertThat(volumes).doesNotContainKey("module");
    Volume auth = volumes.get("registry-auth");
    assertThat(auth.getProjected().getSources())
        .extracting(
            s -> s.getSecret().getName(),
            s -> s.getSecret().getItems().get(0).getKey(),
            s -> s.getSecret().getItems().get(0).getPath())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("team-pull", ".dockerconfigjson", "0.json"),
            org.assertj.core.groups.Tuple.tuple("org-pull", ".dockerconfigjson", "1.json"));
    assertThat(
            containers(DeploymentModel.build(Fixtures.plan(IMAGE))).get("engine").getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("registry-auth");
              assertThat(m.getMountPath()).isEqualTo("/var/run/secrets/wruntime/registry");
              assertThat(m.getReadOnly()).isTrue();
            });
    // The pod's own imagePullSecrets stay the operator's (for the engine and proxy images).
    assertThat(pod.getImagePullSecrets())
        .extracting(r -> r.getName())
        .containsExactly("registry-creds");
  }

  @Test
  void aUrlSourceMountsNoModuleAndAnotherReferenceRollsThePods() {
    String url =
        Fixtures.ECHO.replace(
            "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}",
            "source: {url: \"https://example.com/echo.wasm\", sha256: " + "a".repeat(64) + "}");
    PodSpec pod = DeploymentModel.build(Fixtures.plan(url)).getSpec().getTemplate().getSpec();

    assertThat(pod.getVolumes())
        .extracting(Volume::getName)
        .doesNotContain("module", "registry-auth");
    String v1 = Fixtures.plan(IMAGE).configHash();
    String v2 = Fixtures.plan(IMAGE.replace("echo:1.0.0", "echo:1.0.1")).configHash();
    assertThat(v2).isNotEqualTo(v1);
  }
}
