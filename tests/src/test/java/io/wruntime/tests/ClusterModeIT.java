package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.kubetest.RealApiServer;
import io.wruntime.proto.v1.Route;
import io.wruntime.tests.LocalCluster.Engine;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The manager in cluster mode as a child process ({@code bin/wr-manager}, kubeconfig through {@code
 * KUBECONFIG}) watching a real kube-apiserver, with a real proxy and engine: the engine's "pod" is
 * declared in the API server (WasmModule, the operator's ConfigMap with the schema, a Pod with IP
 * 127.0.0.1 whose container port {@code peer} is the proxy's real peer port), and its status is
 * written by the test since there is no kubelet. Calls through the pod's own proxy (a local route)
 * and through a second proxy (a remote route, via the peer port) reach the engine; marking the pod
 * unready stops the routing within a second.
 */
class ClusterModeIT {
  private static final String NS = "shop";
  private static final String POD = "echo-5d8f7c9b4-x2x7q";
  private static final String DESTINATION = "http://example.echo/echo.EchoService/Echo";
  private static final Module ECHO = Module.echo("1.0.0");

  private static final LocalCluster cluster = new LocalCluster("ClusterModeIT");
  private static RealApiServer api;
  private static KubernetesClient admin;
  private static Path kubeconfig;
  private static Proxy podProxy;
  private static Proxy otherProxy;
  private static Engine engine;

  @BeforeAll
  static void start() throws Exception {
    api = RealApiServer.start();
    admin = new KubernetesClientBuilder().withConfig(api.adminConfig()).build();
    RealApiServer.installCrd(
        admin, ServerProcess.root().resolve("crds/wasmmodules.wruntime.io.yaml"));
    kubeconfig = Files.createTempFile("wr-cluster-mode", ".kubeconfig");
    Files.writeString(kubeconfig, api.adminKubeconfigYaml());
    int enginePort = freePort();

    cluster.startManager(
        """

        [kubernetes]
        enabled = true
        watch_namespaces = ["%s"]
        engine_address = "127.0.0.1:%d"
        """
            .formatted(NS, enginePort),
        Map.of("KUBECONFIG", kubeconfig.toString()));
    podProxy = cluster.startProxy(POD);
    otherProxy = cluster.startProxy("caller-node");
    engine =
        LocalCluster.awaitListening(
            cluster.launchEngine("engine-in-pod", podProxy, "-Xmx256m", enginePort, ECHO));

    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    admin
        .resource(
            Serialization.unmarshal(
                """
                apiVersion: wruntime.io/v1alpha1
                kind: WasmModule
                metadata: {name: echo, namespace: shop}
                spec:
                  namespace: example
                  version: 1.0.0
                  source: {configMapRef: {name: echo-wasm, key: echo.wasm}}
                  schema: {configMapRef: {name: echo-schema, key: echo.binpb}}
                """,
                WasmModule.class))
        .create();
    admin
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("echo-engine")
                .withNamespace(NS)
                .withLabels(labels())
                .endMetadata()
                .withBinaryData(
                    Map.of(
                        "schema.binpb",
                        Base64.getEncoder().encodeToString(Files.readAllBytes(ECHO.schema()))))
                .build())
        .create();
    admin
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(POD)
                .withNamespace(NS)
                .withLabels(labels())
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("engine")
                .withImage("wruntime/wr-engine:test")
                .endContainer()
                .addNewContainer()
                .withName("proxy")
                .withImage("wruntime/wr-proxy:test")
                .addNewPort()
                .withName("peer")
                .withContainerPort(podProxy.peerPort())
                .endPort()
                .endContainer()
                .endSpec()
                .build())
        .create();
    setReady(true);
  }

  private static Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "wr-engine");
    labels.put("app.kubernetes.io/instance", "echo");
    labels.put("app.kubernetes.io/managed-by", "wruntime-operator");
    labels.put("wruntime.io/module", "echo");
    labels.put("wruntime.io/namespace", "example");
    labels.put("wruntime.io/version", "1.0.0");
    return labels;
  }

  private static void setReady(boolean ready) {
    admin
        .pods()
        .inNamespace(NS)
        .withName(POD)
        .editStatus(
            p ->
                new PodBuilder(p)
                    .withNewStatus()
                    .withPhase("Running")
                    .withPodIP("127.0.0.1")
                    .withConditions(
                        new PodConditionBuilder()
                            .withType("Ready")
                            .withStatus(ready ? "True" : "False")
                            .build())
                    .endStatus()
                    .build());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      cluster.close();
    } finally {
      if (admin != null) {
        admin.close();
      }
      if (api != null) {
        api.close();
      }
      if (kubeconfig != null) {
        Files.deleteIfExists(kubeconfig);
      }
    }
  }

  private static HttpResponse<String> call(Proxy proxy, String message) throws Exception {
    return LocalCluster.HTTP.send(
        proxy
            .request(DESTINATION)
            .timeout(Duration.ofSeconds(10))
            .header("content-type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString(message))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void callsRouteToTheReadyPodAndStopWithinASecondOfItTurningUnready() throws Exception {
    var table =
        cluster.awaitRoutingTable(
            Duration.ofSeconds(60),
            t -> t.getRoutesCount() == 1 && t.getRoutes(0).getHealthy(),
            podProxy,
            otherProxy);
    Route route = table.getRoutes(0);
    assertThat(route.getEngineId()).isEqualTo(POD);
    assertThat(route.getNode()).isEqualTo(POD);
    assertThat(route.getNodeAddress()).isEqualTo("127.0.0.1:" + podProxy.peerPort());
    assertThat(route.getAddress()).isEqualTo("127.0.0.1:" + engine.port());

    long servedBefore = LocalCluster.okRequests(engine, ECHO);
    for (Proxy proxy : new Proxy[] {podProxy, otherProxy}) {
      HttpResponse<String> response = call(proxy, "hello via " + proxy.node());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("hello via " + proxy.node());
    }
    assertThat(LocalCluster.okRequests(engine, ECHO) - servedBefore).isGreaterThanOrEqualTo(2);
    // The engine registered through its proxy: listed, but the route is the cluster's.
    assertThat(cluster.routingTable().getRoutesList())
        .extracting(Route::getEngineId)
        .containsOnly(POD);

    setReady(false);
    long unready = System.nanoTime();
    HttpResponse<String> refused = null;
    while (Duration.ofNanos(System.nanoTime() - unready).compareTo(Duration.ofSeconds(5)) < 0) {
      HttpResponse<String> response = call(otherProxy, "after");
      if (response.statusCode() == 503) {
        refused = response;
        break;
      }
      Thread.sleep(20);
    }
    Duration stoppedAfter = Duration.ofNanos(System.nanoTime() - unready);
    assertThat(refused).as("a 503 within 5 s of the pod turning unready").isNotNull();
    assertThat(stoppedAfter)
        .as("time until calls stop reaching the pod")
        .isLessThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(refused.body()).contains("example.echo");
    assertThat(call(podProxy, "after").statusCode()).isEqualTo(503);

    setReady(true);
    cluster.awaitRoutingTable(
        Duration.ofSeconds(10), t -> t.getRoutes(0).getHealthy(), podProxy, otherProxy);
    assertThat(call(otherProxy, "back").statusCode()).isEqualTo(200);
  }
}
