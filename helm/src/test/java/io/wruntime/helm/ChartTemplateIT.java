package io.wruntime.helm;

import static io.wruntime.helm.RenderedChart.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.tls.TlsFiles;
import io.wruntime.common.tls.TlsMaterial;
import io.wruntime.manager.cluster.ManagerPermissions;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.operator.OperatorPermissions;
import io.wruntime.operator.config.OperatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code helm template} renders, as a user installing the chart would meet it. */
class ChartTemplateIT {
  private static final Path CUSTOM_VALUES = Path.of("src/test/resources/custom-values.yaml");
  private static final TomlMapper TOML = new TomlMapper();

  private static final RenderedChart DEFAULTS = RenderedChart.render(Map.of());
  private static final RenderedChart CUSTOM = RenderedChart.render(CUSTOM_VALUES, Map.of());
  private static final RenderedChart WITH_TEST_HOOKS = RenderedChart.renderWithTestHooks(Map.of());

  @Test
  void defaultImagesAreTheAppVersionFromTheWruntimeRegistry() {
    assertThat(container(DEFAULTS, "wruntime-operator").getImage())
        .isEqualTo("wruntime/wr-operator:0.1.0");
    assertThat(container(DEFAULTS, "wruntime-manager").getImage())
        .isEqualTo("wruntime/wr-manager:0.1.0");
    JsonNode operatorToml = operatorToml(DEFAULTS);
    assertThat(operatorToml.at("/engine/image").asText()).isEqualTo("wruntime/wr-engine:0.1.0");
    assertThat(operatorToml.at("/proxy/image").asText()).isEqualTo("wruntime/wr-proxy:0.1.0");
    assertThat(operatorToml.at("/engine/image_pull_policy").asText()).isEqualTo("IfNotPresent");
    assertThat(container(DEFAULTS, "wruntime-operator").getImagePullPolicy())
        .isEqualTo("IfNotPresent");
  }

  @Test
  void customValuesChooseImagesReplicasResourcesAndNodes() {
    Deployment operator = CUSTOM.get(Deployment.class, "wruntime-operator");
    Deployment manager = CUSTOM.get(Deployment.class, "wruntime-manager");
    assertThat(container(CUSTOM, "wruntime-operator").getImage())
        .isEqualTo("registry.example.com:5000/platform/wr-operator:1.2.3");
    assertThat(container(CUSTOM, "wruntime-manager").getImage())
        .isEqualTo("registry.example.com:5000/platform/wr-manager:1.2.3");
    assertThat(container(CUSTOM, "wruntime-manager").getImagePullPolicy()).isEqualTo("Always");
    assertThat(operator.getSpec().getReplicas()).isEqualTo(2);
    assertThat(manager.getSpec().getReplicas()).isEqualTo(2);

    assertThat(container(CUSTOM, "wruntime-operator").getResources().getRequests())
        .containsEntry("cpu", new Quantity("200m"))
        .containsEntry("memory", new Quantity("384Mi"));
    assertThat(container(CUSTOM, "wruntime-operator").getResources().getLimits())
        .containsEntry("cpu", new Quantity("1"))
        .containsEntry("memory", new Quantity("768Mi"));
    assertThat(container(CUSTOM, "wruntime-manager").getResources().getLimits())
        .containsEntry("memory", new Quantity("1Gi"));

    for (Deployment deployment : List.of(operator, manager)) {
      PodSpec pod = deployment.getSpec().getTemplate().getSpec();
      assertThat(pod.getNodeSelector()).containsEntry("node-role.example.com/platform", "true");
      assertThat(pod.getImagePullSecrets()).containsExactly(new LocalObjectReference("regcred"));
    }
    assertThat(operator.getSpec().getTemplate().getSpec().getTolerations())
        .containsExactly(new Toleration("NoSchedule", "dedicated", "Equal", null, "platform"));
    assertThat(operator.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true");
  }

  @Test
  void operatorConfigNamesTheManagerServiceAndWhatModulePodsRun() {
    JsonNode toml = operatorToml(CUSTOM);
    Service manager = CUSTOM.get(Service.class, "wruntime-manager");
    assertThat(toml.get("manager_address").asText())
        .isEqualTo(manager.getMetadata().getName() + "." + NAMESPACE + ".svc:9000");
    assertThat(manager.getSpec().getPorts())
        .singleElement()
        .satisfies(
            port -> {
              assertThat(port.getName()).isEqualTo("grpc");
              assertThat(port.getPort()).isEqualTo(9000);
            });
    assertThat(manager.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(manager.getSpec().getSelector())
        .isEqualTo(
            CUSTOM
                .get(Deployment.class, "wruntime-manager")
                .getSpec()
                .getSelector()
                .getMatchLabels());

    assertThat(toml.get("admin_address").asText()).isEqualTo("0.0.0.0:8080");
    assertThat(strings(toml.get("watch_namespaces"))).containsExactly("team-a", "team-b");
    assertThat(toml.at("/leader_election/enabled").asBoolean()).isTrue();
    assertThat(toml.at("/leader_election/lease_name").asText()).isEqualTo("wruntime-operator");
    assertThat(toml.at("/engine/image").asText())
        .isEqualTo("registry.example.com:5000/platform/wr-engine:1.2.3");
    assertThat(toml.at("/engine/image_pull_policy").asText()).isEqualTo("Always");
    assertThat(strings(toml.at("/engine/image_pull_secrets"))).containsExactly("regcred");
    assertThat(toml.at("/engine/otel_endpoint").asText())
        .isEqualTo("http://otel-collector.observability:4318");
    assertThat(toml.at("/engine/resources/requests/cpu").asText()).isEqualTo("500m");
    assertThat(toml.at("/engine/resources/requests/memory").asText()).isEqualTo("1Gi");
    assertThat(toml.at("/engine/resources/limits/memory").asText()).isEqualTo("2Gi");
    assertThat(toml.at("/proxy/image").asText())
        .isEqualTo("registry.example.com:5000/platform/wr-proxy:1.2.3");
    assertThat(toml.at("/proxy/resources/requests/memory").asText()).isEqualTo("192Mi");
    assertThat(toml.at("/proxy/resources/limits/memory").asText()).isEqualTo("384Mi");
  }

  @Test
  void theOperatorAcceptsTheOperatorConfigTheChartRenders() {
    for (RenderedChart chart : List.of(DEFAULTS, CUSTOM)) {
      OperatorConfig config =
          OperatorConfig.parse(
              "operator.toml",
              chart.get(ConfigMap.class, "wruntime-operator").getData().get("operator.toml"));
      assertThat(config.managerAddress().host()).endsWith(".svc");
      assertThat(config.pods().engineImage()).contains("/wr-engine:");
      assertThat(config.leaderElection().enabled()).isTrue();
    }
  }

  @Test
  void defaultOperatorConfigWatchesAllNamespacesWithoutTracing() {
    JsonNode toml = operatorToml(DEFAULTS);
    assertThat(toml.get("watch_namespaces").isArray()).isTrue();
    assertThat(toml.get("watch_namespaces")).isEmpty();
    assertThat(toml.at("/engine/image_pull_secrets")).isEmpty();
    assertThat(toml.at("/engine/otel_endpoint").asText()).isEmpty();
    assertThat(toml.get("manager_address").asText())
        .isEqualTo("wruntime-manager.wruntime-system.svc:9000");
    assertThat(toml.at("/engine/resources/requests/cpu").asText()).isEqualTo("100m");
    assertThat(toml.at("/engine/resources/limits/memory").asText()).isEqualTo("512Mi");
    assertThat(toml.at("/proxy/resources/requests/cpu").asText()).isEqualTo("50m");
  }

  @Test
  void theManagerRunsInClusterModeByDefaultWithAConfigurationItAccepts(@TempDir Path dir)
      throws IOException {
    for (RenderedChart chart : List.of(DEFAULTS, CUSTOM)) {
      // Read as wr-manager reads it: a key it does not know would fail its start.
      ManagerConfig config = managerConfig(chart, dir.resolve(chart == DEFAULTS ? "d" : "c"));
      if (chart == DEFAULTS) {
        assertThat(config.kubernetes().enabled()).isTrue();
        assertThat(config.kubernetes().watchNamespaces()).isEmpty();
      } else {
        assertThat(config.kubernetes().enabled()).isFalse();
        assertThat(config.kubernetes().watchNamespaces()).containsExactly("shop", "payments");
      }
    }
  }

  @Test
  void managerConfigListensOnAllInterfacesWithTheHeartbeatTimeout() throws IOException {
    JsonNode toml =
        TOML.readTree(
            CUSTOM.get(ConfigMap.class, "wruntime-manager").getData().get("manager.toml"));
    assertThat(toml.get("listen_address").asText()).isEqualTo("0.0.0.0:9000");
    assertThat(toml.get("admin_address").asText()).isEqualTo("0.0.0.0:9090");
    assertThat(toml.get("engine_heartbeat_timeout_secs").asInt()).isEqualTo(30);
    assertThat(toml.at("/kubernetes/enabled").asBoolean(true)).isFalse();
    assertThat(toml.at("/kubernetes/watch_namespaces"))
        .extracting(JsonNode::asText)
        .containsExactly("shop", "payments");
    assertThat(container(CUSTOM, "wruntime-manager").getArgs())
        .containsExactly("--config", "/etc/wruntime/manager.toml");
    assertThat(container(CUSTOM, "wruntime-operator").getArgs())
        .containsExactly("--config", "/etc/wruntime/operator.toml");
  }

  @Test
  void everyPodRunsAsNonRootOnAReadOnlyFilesystemWithoutPrivileges() {
    for (RenderedChart chart : List.of(DEFAULTS, CUSTOM, WITH_TEST_HOOKS)) {
      List<PodSpec> pods = new ArrayList<>();
      chart.all(Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
      chart.all(Pod.class).forEach(p -> pods.add(p.getSpec()));
      assertThat(pods).hasSize(chart == WITH_TEST_HOOKS ? 3 : 2);
      for (PodSpec pod : pods) {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType())
            .isEqualTo("RuntimeDefault");
        for (Container container : pod.getContainers()) {
          var security = container.getSecurityContext();
          assertThat(security.getRunAsNonRoot()).as(container.getName()).isTrue();
          assertThat(security.getRunAsUser()).as(container.getName()).isEqualTo(10001L);
          assertThat(security.getReadOnlyRootFilesystem()).as(container.getName()).isTrue();
          assertThat(security.getAllowPrivilegeEscalation()).as(container.getName()).isFalse();
          assertThat(security.getCapabilities().getDrop())
              .as(container.getName())
              .containsExactly("ALL");
          assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        }
      }
    }
  }

  @Test
  void javaPodsHaveAWritableTmpAndTheirPodIdentity() {
    for (String name : List.of("wruntime-operator", "wruntime-manager")) {
      Deployment deployment = DEFAULTS.get(Deployment.class, name);
      Container container = container(DEFAULTS, name);
      assertThat(container.getVolumeMounts())
          .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/tmp"))
          .anySatisfy(
              mount -> {
                assertThat(mount.getMountPath()).isEqualTo("/etc/wruntime");
                assertThat(mount.getReadOnly()).isTrue();
              });
      assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
          .anySatisfy(volume -> assertThat(volume.getEmptyDir()).isNotNull())
          .anySatisfy(volume -> assertThat(volume.getConfigMap().getName()).isEqualTo(name))
          // The manager also mounts its certificate (tls.enabled by default).
          .hasSize(name.equals("wruntime-manager") ? 3 : 2);
    }
    Container operator = container(DEFAULTS, "wruntime-operator");
    assertThat(operator.getEnv())
        .anySatisfy(
            env -> {
              assertThat(env.getName()).isEqualTo("POD_NAMESPACE");
              assertThat(env.getValueFrom().getFieldRef().getFieldPath())
                  .isEqualTo("metadata.namespace");
            })
        .anySatisfy(
            env -> {
              assertThat(env.getName()).isEqualTo("POD_NAME");
              assertThat(env.getValueFrom().getFieldRef().getFieldPath())
                  .isEqualTo("metadata.name");
            });
    assertThat(DEFAULTS.get(Deployment.class, "wruntime-operator").getSpec().getTemplate())
        .satisfies(
            template ->
                assertThat(template.getSpec().getServiceAccountName())
                    .isEqualTo("wruntime-operator"));
  }

  @Test
  void probesAskTheAdminPortForHealthAndReadiness() {
    Map<String, Integer> adminPorts = Map.of("wruntime-operator", 8080, "wruntime-manager", 9090);
    adminPorts.forEach(
        (name, port) -> {
          Container container = container(DEFAULTS, name);
          assertThat(container.getPorts())
              .anySatisfy(
                  p -> {
                    assertThat(p.getName()).isEqualTo("admin");
                    assertThat(p.getContainerPort()).isEqualTo(port);
                  });
          assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
          assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal())
              .isEqualTo("admin");
          assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
          assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
          assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal())
              .isEqualTo("admin");
        });
    assertThat(container(DEFAULTS, "wruntime-manager").getPorts())
        .anySatisfy(
            p -> {
              assertThat(p.getName()).isEqualTo("grpc");
              assertThat(p.getContainerPort()).isEqualTo(9000);
            });
  }

  @Test
  void everyObjectCarriesTheStandardLabelsAndSelectorsMatchTheirPods() {
    for (HasMetadata resource : DEFAULTS.resources()) {
      assertThat(resource.getMetadata().getLabels())
          .as(resource.getKind() + " " + resource.getMetadata().getName())
          .containsEntry("helm.sh/chart", "wruntime-0.1.0")
          .containsEntry("app.kubernetes.io/name", "wruntime")
          .containsEntry("app.kubernetes.io/instance", "wruntime")
          .containsEntry("app.kubernetes.io/version", "0.1.0")
          .containsEntry("app.kubernetes.io/managed-by", "Helm")
          .containsEntry("app.kubernetes.io/part-of", "wruntime")
          .containsKey("app.kubernetes.io/component");
    }
    for (Deployment deployment : DEFAULTS.all(Deployment.class)) {
      Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
      assertThat(selector)
          .containsOnlyKeys(
              "app.kubernetes.io/name",
              "app.kubernetes.io/instance",
              "app.kubernetes.io/component");
      assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
          .containsAllEntriesOf(selector);
    }
    assertThat(
            DEFAULTS
                .get(Deployment.class, "wruntime-operator")
                .getSpec()
                .getSelector()
                .getMatchLabels())
        .isNotEqualTo(
            DEFAULTS
                .get(Deployment.class, "wruntime-manager")
                .getSpec()
                .getSelector()
                .getMatchLabels());
  }

  @Test
  void operatorHasExactlyTheRulesItNeeds() {
    // OperatorPermissions is what the operator's API-server test proves it uses, no more, no less.
    assertThat(RenderedChart.operatorClusterRoleRules(Map.of()))
        .containsExactlyElementsOf(
            OperatorPermissions.RULES.stream()
                .map(r -> rule(r.apiGroup(), r.resource(), r.verbs().toArray(String[]::new)))
                .toList());
    ClusterRoleBinding binding = DEFAULTS.get(ClusterRoleBinding.class, "wruntime-operator");
    assertThat(binding.getRoleRef().getName()).isEqualTo("wruntime-operator");
    assertThat(binding.getSubjects())
        .containsExactly(new Subject(null, "ServiceAccount", "wruntime-operator", NAMESPACE));
    assertThat(DEFAULTS.get(ServiceAccount.class, "wruntime-operator").getMetadata().getNamespace())
        .isEqualTo(NAMESPACE);
  }

  @Test
  void managerRbacIsThereUnlessTurnedOff() {
    // ManagerPermissions is what the manager's API-server test proves cluster mode uses.
    ClusterRole role = DEFAULTS.get(ClusterRole.class, "wruntime-manager");
    assertThat(role.getRules())
        .containsExactlyElementsOf(
            ManagerPermissions.RULES.stream()
                .map(r -> rule(r.apiGroup(), r.resource(), r.verbs().toArray(String[]::new)))
                .toList());
    assertThat(DEFAULTS.get(ClusterRoleBinding.class, "wruntime-manager").getSubjects())
        .containsExactly(new Subject(null, "ServiceAccount", "wruntime-manager", NAMESPACE));
    assertThat(
            DEFAULTS
                .get(Deployment.class, "wruntime-manager")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getServiceAccountName())
        .isEqualTo("wruntime-manager");

    assertThat(CUSTOM.all(ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("wruntime-operator");
    assertThat(CUSTOM.get(ServiceAccount.class, "wruntime-manager")).isNotNull();
  }

  @Test
  void aChangedConfigurationRollsThePods() {
    RenderedChart changed =
        RenderedChart.render(
            Map.of(
                "otel.endpoint",
                "http://collector:4318",
                "manager.engineHeartbeatTimeoutSeconds",
                "20"));
    for (String name : List.of("wruntime-operator", "wruntime-manager")) {
      assertThat(checksum(changed, name)).as(name).isNotEqualTo(checksum(DEFAULTS, name));
    }
    assertThat(checksum(RenderedChart.render(Map.of()), "wruntime-operator"))
        .isEqualTo(checksum(DEFAULTS, "wruntime-operator"));
  }

  @Test
  void helmTestPodAsksTheManagerServiceForItsRoutingTable() {
    Pod test = WITH_TEST_HOOKS.get(Pod.class, "wruntime-test-manager-connection");
    assertThat(test.getMetadata().getAnnotations())
        .containsEntry(RenderedChart.RENAMED_HOOK_ANNOTATION, "test");
    assertThat(test.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(String.join("\n", test.getSpec().getContainers().get(0).getArgs()))
        .contains(
            "https://wruntime-manager.wruntime-system.svc:9000/wruntime.v1.ManagerService/GetRoutingTable")
        .contains("--cacert /tls/ca.crt --cert /tls/tls.crt --key /tls/tls.key");
    assertThat(test.getSpec().getVolumes())
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactly("wruntime-admin-tls");
  }

  @Test
  void tlsIsOnByDefaultWithCertificatesTheManagerAndTheProxiesAccept(@TempDir Path dir)
      throws IOException {
    Map<String, CallerIdentity> expected =
        Map.of(
            "wruntime-manager-tls", new CallerIdentity(Role.MANAGER, "manager"),
            "wruntime-node-tls", new CallerIdentity(Role.NODE, "wruntime-nodes"),
            "wruntime-admin-tls", new CallerIdentity(Role.ADMIN, "wruntime-admin"));
    for (var entry : expected.entrySet()) {
      Path files = write(DEFAULTS.get(Secret.class, entry.getKey()), dir.resolve(entry.getKey()));
      TlsMaterial material =
          TlsMaterial.load(
              new TlsFiles(
                  files.resolve("tls.crt"), files.resolve("tls.key"), files.resolve("ca.crt")));
      assertThat(material.identity()).as(entry.getKey()).isEqualTo(entry.getValue());
    }
    assertThat(DEFAULTS.get(Secret.class, "wruntime-tls-ca").getData())
        .containsOnlyKeys("tls.crt", "tls.key");

    ManagerConfig manager = managerConfig(DEFAULTS, dir.resolve("manager"));
    assertThat(manager.tls()).isNotNull();
    assertThat(manager.allowPlaintext()).isFalse();
    PodSpec managerPod =
        DEFAULTS.get(Deployment.class, "wruntime-manager").getSpec().getTemplate().getSpec();
    assertThat(managerPod.getVolumes())
        .filteredOn(v -> v.getName().equals("tls"))
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactly("wruntime-manager-tls");
    JsonNode operator =
        TOML.readTree(
            DEFAULTS.get(ConfigMap.class, "wruntime-operator").getData().get("operator.toml"));
    assertThat(operator.at("/proxy/tls_secret").asText()).isEqualTo("wruntime-node-tls");
    assertThat(
            OperatorConfig.parse(
                    "operator.toml",
                    DEFAULTS
                        .get(ConfigMap.class, "wruntime-operator")
                        .getData()
                        .get("operator.toml"))
                .pods()
                .nodeTlsSecret())
        .isEqualTo("wruntime-node-tls");
  }

  @Test
  void theNodeCertificateIsCopiedIntoTheNamespacesOfModules() {
    RenderedChart chart =
        RenderedChart.render(
            Map.of("operator.watchNamespaces[0]", "shop", "tls.node.namespaces[0]", "team-a"));

    assertThat(chart.all(Secret.class))
        .filteredOn(secret -> secret.getMetadata().getName().equals("wruntime-node-tls"))
        .extracting(secret -> secret.getMetadata().getNamespace())
        .containsExactlyInAnyOrder(NAMESPACE, "shop", "team-a");
  }

  @Test
  void withTlsOffTheManagerServesPlaintextOnlyBecauseTheChartAllowsIt(@TempDir Path dir)
      throws IOException {
    RenderedChart chart = RenderedChart.renderWithTestHooks(Map.of("tls.enabled", "false"));

    ManagerConfig config = managerConfig(chart, dir);
    assertThat(config.tls()).isNull();
    assertThat(config.allowPlaintext()).isTrue();
    assertThat(chart.all(Secret.class)).isEmpty();
    JsonNode operator =
        TOML.readTree(
            chart.get(ConfigMap.class, "wruntime-operator").getData().get("operator.toml"));
    assertThat(operator.at("/proxy").has("tls_secret")).isFalse();
    assertThat(
            String.join(
                "\n",
                chart
                    .get(Pod.class, "wruntime-test-manager-connection")
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .getArgs()))
        .contains("http://wruntime-manager.wruntime-system.svc:9000/")
        .contains("--http2-prior-knowledge");
  }

  @Test
  void existingSecretsAreUsedAllThreeOrNone() {
    RenderedChart chart =
        RenderedChart.render(
            Map.of(
                "tls.manager.secretName", "m-tls",
                "tls.node.secretName", "n-tls",
                "tls.admin.secretName", "a-tls"));

    assertThat(chart.all(Secret.class)).isEmpty();
    assertThat(
            chart
                .get(Deployment.class, "wruntime-manager")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getVolumes())
        .filteredOn(v -> v.getName().equals("tls"))
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactly("m-tls");
    assertThat(chart.get(ConfigMap.class, "wruntime-operator").getData().get("operator.toml"))
        .contains("tls_secret = \"n-tls\"");
    assertThatThrownBy(() -> RenderedChart.render(Map.of("tls.manager.secretName", "m-tls")))
        .hasMessageContaining(
            "tls.manager.secretName, tls.node.secretName and tls.admin.secretName: give all three");
  }

  /**
   * The chart's manager.toml read as wr-manager reads it, with the certificate files of the
   * rendered Secret written to {@code dir} where the Pod would mount them.
   */
  private static ManagerConfig managerConfig(RenderedChart chart, Path dir) throws IOException {
    String toml = chart.get(ConfigMap.class, "wruntime-manager").getData().get("manager.toml");
    if (toml.contains("[tls]")) {
      // With existing Secrets (the custom values) the chart renders none: any manager certificate
      // the chart makes stands in for the one the Secret would hold.
      boolean rendered =
          chart.all(Secret.class).stream()
              .anyMatch(secret -> secret.getMetadata().getName().equals("wruntime-manager-tls"));
      write((rendered ? chart : DEFAULTS).get(Secret.class, "wruntime-manager-tls"), dir);
      toml = toml.replace("/var/run/secrets/wruntime/tls", dir.toString());
    }
    return ManagerConfig.parse("manager.toml", toml);
  }

  private static Path write(Secret secret, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (var entry : secret.getData().entrySet()) {
      Files.write(dir.resolve(entry.getKey()), Base64.getDecoder().decode(entry.getValue()));
    }
    return dir;
  }

  @Test
  void severalOperatorsNeedLeaderElection() {
    assertThatThrownBy(
            () ->
                RenderedChart.render(
                    Map.of("operator.replicas", "2", "operator.leaderElection.enabled", "false")))
        .hasMessageContaining("operator.replicas=2 needs operator.leaderElection.enabled=true");
    assertThat(
            operatorToml(RenderedChart.render(Map.of("operator.leaderElection.enabled", "false")))
                .at("/leader_election/enabled")
                .asBoolean())
        .isFalse();
  }

  private static PolicyRule rule(String apiGroup, String resource, String... verbs) {
    return new PolicyRuleBuilder()
        .withApiGroups(apiGroup)
        .withResources(resource)
        .withVerbs(verbs)
        .build();
  }

  private static Container container(RenderedChart chart, String deployment) {
    return chart
        .get(Deployment.class, deployment)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .getFirst();
  }

  private static String checksum(RenderedChart chart, String deployment) {
    return chart
        .get(Deployment.class, deployment)
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get("checksum/config");
  }

  static JsonNode operatorToml(RenderedChart chart) {
    try {
      return TOML.readTree(
          chart.get(ConfigMap.class, "wruntime-operator").getData().get("operator.toml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }
}
