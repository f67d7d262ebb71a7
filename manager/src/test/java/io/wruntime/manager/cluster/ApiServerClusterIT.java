package io.wruntime.manager.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.wruntime.kubetest.RealApiServer;
import io.wruntime.kubetest.RecordingClient;
import io.wruntime.kubetest.TcpRelay;
import io.wruntime.manager.grpc.ProtoMapping;
import io.wruntime.proto.v1.RoutingTable;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
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
 * Cluster mode against a real kube-apiserver (kube-api-test) with the WasmModule CRD installed. The
 * manager's informers run as a ServiceAccount holding exactly {@link ManagerPermissions} (RBAC
 * enforced) and reach the API server through a {@link TcpRelay}, so a test can cut their
 * connections the way a network does. There is no kubelet: pods are created and their status
 * written directly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiServerClusterIT extends ClusterModeContract {
  private static final Path ROOT = Path.of(System.getProperty("wr.root", ".."));
  private static final RecordingClient recorder = new RecordingClient();
  private static RealApiServer api;
  private static KubernetesClient admin;
  private static TcpRelay relay;
  private static KubernetesClient manager;

  @BeforeAll
  static void startServer() throws Exception {
    api = RealApiServer.start();
    admin = new KubernetesClientBuilder().withConfig(api.adminConfig()).build();
    RealApiServer.installCrd(admin, ROOT.resolve("crds/wasmmodules.wruntime.io.yaml"));
    URI master = URI.create(api.adminConfig().getMasterUrl());
    relay = TcpRelay.start(master.getHost(), master.getPort());
    Config identity =
        api.serviceAccount(
            admin,
            "wruntime-system",
            "wr-manager",
            ManagerPermissions.RULES.stream()
                .map(
                    rule ->
                        new PolicyRuleBuilder()
                            .withApiGroups(rule.apiGroup())
                            .withResources(rule.resource())
                            .withVerbs(rule.verbs())
                            .build())
                .toList());
    manager =
        recorder.client(
            new ConfigBuilder(identity)
                .withMasterUrl("https://" + master.getHost() + ":" + relay.port())
                .build());
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (manager != null) {
      manager.close();
    }
    if (relay != null) {
      relay.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (api != null) {
      api.close();
    }
  }

  @Override
  KubernetesClient admin() {
    return admin;
  }

  @Override
  KubernetesClient managerClient() {
    return manager;
  }

  @Test
  void watchConnectionsCutByTheNetworkComeBackWithoutASpuriousRemoval() throws Exception {
    RoutingTable before = echoWithTwoReadyPods();
    long podWatches = recorder.count("/pods", "watch");
    long moduleWatches = recorder.count("wruntime.io/wasmmodules", "watch");
    long configMapWatches = recorder.count("/configmaps", "watch");

    relay.cutAll();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(recorder.count("/pods", "watch")).isGreaterThan(podWatches);
              assertThat(recorder.count("wruntime.io/wasmmodules", "watch"))
                  .isGreaterThan(moduleWatches);
              assertThat(recorder.count("/configmaps", "watch")).isGreaterThan(configMapWatches);
            });
    noNewTable();
    assertThat(ProtoMapping.table(registry.routingTable())).isEqualTo(before);

    // A change made while the watches are down arrives once they are back.
    relay.cutAll();
    setStatus("echo-a", "10.0.0.1", false);
    RoutingTable after = next();
    assertThat(route(after, "echo-a").getHealthy()).isFalse();
    assertThat(route(after, "echo-b").getHealthy()).isTrue();
  }

  @Test
  void aTerminatingPodIsUnhealthyUntilItIsGone() throws InterruptedException {
    echoWithTwoReadyPods();
    admin
        .pods()
        .inNamespace(ns)
        .withName("echo-a")
        .edit(
            p ->
                new PodBuilder(p)
                    .editMetadata()
                    .addToFinalizers("wruntime.io/test-hold")
                    .endMetadata()
                    .build());

    admin.pods().inNamespace(ns).withName("echo-a").delete();

    RoutingTable terminating = next();
    assertThat(route(terminating, "echo-a").getHealthy()).isFalse();
    assertThat(route(terminating, "echo-b").getHealthy()).isTrue();

    admin
        .pods()
        .inNamespace(ns)
        .withName("echo-a")
        .edit(
            p -> new PodBuilder(p).editMetadata().withFinalizers(List.of()).endMetadata().build());
    assertThat(until(t -> t.getRoutesCount() == 1).getRoutes(0).getEngineId()).isEqualTo("echo-b");
  }

  @Test
  void aManagerWatchingEveryNamespaceSeesModulesInAll() throws Exception {
    watch.close();
    config =
        new io.wruntime.manager.config.KubernetesConfig(true, List.of(), config.engineAddress());
    watch = ClusterWatch.start(manager, config, registry, WAIT);

    RoutingTable table = echoWithTwoReadyPods();

    assertThat(table.getRoutesList())
        .filteredOn(r -> r.getModule().getNamespace().equals(ns))
        .extracting(r -> r.getEngineId())
        .containsExactly("echo-a", "echo-b");
  }

  /** Runs last: what the manager did during the suite, as RBAC rules, is what it declares. */
  @Test
  @Order(Integer.MAX_VALUE)
  void theManagerUsesExactlyTheDeclaredPermissions() {
    Map<String, Set<String>> observed = new TreeMap<>();
    recorder.permissions().forEach((k, v) -> observed.put(k, new TreeSet<>(v)));
    Map<String, Set<String>> declared = new TreeMap<>();
    for (ManagerPermissions.Rule rule : ManagerPermissions.RULES) {
      declared.put(rule.apiGroup() + "/" + rule.resource(), new TreeSet<>(rule.verbs()));
    }
    assertThat(recorder.unparsed()).isEmpty();
    assertThat(observed).isEqualTo(declared);
  }
}
