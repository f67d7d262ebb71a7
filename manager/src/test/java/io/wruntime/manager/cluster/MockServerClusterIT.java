package io.wruntime.manager.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.wruntime.crds.v1alpha1.WasmModule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Cluster mode against the Fabric8 mock API server in CRUD mode. */
class MockServerClusterIT extends ClusterModeContract {
  private static KubernetesMockServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void startServer() {
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
    client = server.createClient();
  }

  @AfterAll
  static void stopServer() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.destroy();
    }
  }

  @Override
  KubernetesClient admin() {
    return client;
  }

  @Override
  KubernetesClient managerClient() {
    return client;
  }
}
