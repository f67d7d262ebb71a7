package io.wruntime.cli.kube;

import static io.wruntime.cli.TestManager.exampleSchema;
import static io.wruntime.cli.TestManager.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.wruntime.cli.CliRun;
import io.wruntime.cli.FakeHttpServer;
import io.wruntime.cli.TestManager;
import io.wruntime.cli.WrCli;
import io.wruntime.cli.modules.ModulesListCommandClocks;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.proto.v1.ModuleRef;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wr-cli --kube} end to end: the Fabric8 mock API server in CRUD mode holds the chart's
 * manager Service, its pods, module pods and WasmModules, and serves the pods' port-forward
 * subresource ({@link PortForwardRelay}) by relaying to a real manager and a fake proxy on
 * loopback. The CLI finds everything from a kubeconfig naming the mock server.
 */
class KubeCommandsIT {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");
  private static final ModuleRef CALLER = ref("example", "caller", "1.0.0");
  private static final String SYSTEM = "wruntime-system";
  private static final String EXAMPLES = "wruntime-examples";

  private final ObjectMapper mapper = new ObjectMapper();
  private TestManager manager;
  private FakeHttpServer proxy;
  private KubernetesMockServer server;
  private PortForwardRelay relay;
  private KubernetesClient client;
  private Path kubeconfig;

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    manager = TestManager.start();
    manager.register("e1", "node-a", "http://127.0.0.1:9100", ECHO, exampleSchema("echo"));
    manager.healthy("e1", ECHO);
    manager.register("e2", "node-b", "http://127.0.0.1:9200", CALLER, exampleSchema("caller"));
    proxy =
        FakeHttpServer.start(
            request ->
                new FakeHttpServer.Response(
                    200, "text/plain", "pong".getBytes(StandardCharsets.UTF_8)));

    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    relay =
        new PortForwardRelay(
            new KubernetesMixedDispatcher(
                expectations,
                List.of(CustomResourceDefinitionContext.fromCustomResourceType(WasmModule.class))));
    server =
        new KubernetesMockServer(new Context(), new MockWebServer(), expectations, relay, false);
    server.init();
    client = server.createClient();

    create(
        Service.class,
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: wruntime-manager
          namespace: wruntime-system
          labels: {app.kubernetes.io/name: wruntime, app.kubernetes.io/instance: wruntime,
                   app.kubernetes.io/component: manager, app.kubernetes.io/part-of: wruntime}
        spec:
          selector: {app.kubernetes.io/name: wruntime, app.kubernetes.io/instance: wruntime,
                     app.kubernetes.io/component: manager}
          ports: [{name: grpc, port: 9000, targetPort: grpc}]
        """);
    // Sorted first, and not ready: the forward must skip it (the relay does not know it).
    create(Pod.class, managerPod("wruntime-manager-0aaaa", "False"));
    create(Pod.class, managerPod("wruntime-manager-7bbbb", "True"));
    relay.target(SYSTEM, "wruntime-manager-7bbbb", 9000, loopback(manager.address()));

    create(Pod.class, modulePod("echo-5cccc", "echo"));
    relay.target(EXAMPLES, "echo-5cccc", 9001, loopback(proxy.address()));

    create(
        WasmModule.class,
        wasmModule(
            EXAMPLES,
            "echo",
            "example",
            "module: example.echo@1.0.0\n  ready: 1/1\n  state: Ready\n  conditions:\n"
                + "  - {type: Ready, status: 'True', reason: Ready, message: 1/1 pods ready}"));
    create(
        WasmModule.class,
        wasmModule(
            EXAMPLES,
            "caller",
            "example",
            "module: example.caller@1.0.0\n  ready: 0/1\n  state: Degraded\n  conditions:\n"
                + "  - {type: Ready, status: 'False', reason: Degraded, message: not ready}\n"
                + "  - {type: Degraded, status: 'True', reason: InvalidSpec, message: 'exactly one"
                + " of source.image, source.url or source.configMapRef must be set (found 2)'}"));
    create(WasmModule.class, wasmModule("shop", "orders", "shop", "state: Progressing"));

    kubeconfig = dir.resolve("config");
    Files.writeString(kubeconfig, kubeconfig("mock", server.url("/")));
  }

  @AfterEach
  void stop() throws Exception {
    ModulesListCommandClocks.set(Clock.systemUTC());
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.destroy();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (manager != null) {
      manager.close();
    }
  }

  private CliRun run(String... args) {
    return CliRun.run(Map.of("KUBECONFIG", kubeconfig.toString()), args);
  }

  @Test
  void enginesListGoesThroughAPortForwardToAReadyPodOfTheManagerService() {
    CliRun run = run("--kube", "engines", "list");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .isEqualTo(
            """
            ENGINE  NODE    ADDRESS                HEALTHY  MODULES               LAST HEARTBEAT
            e1      node-a  http://127.0.0.1:9100  yes      example.echo@1.0.0    2025-01-01T00:00:00Z
            e2      node-b  http://127.0.0.1:9200  no       example.caller@1.0.0  -
            """);
    assertThat(relay.opened()).isPositive();
    await().atMost(Duration.ofSeconds(10)).until(() -> relay.open() == 0);
  }

  @Test
  void theEnvironmentTurnsKubeOnAndAnExplicitManagerStillWins() {
    CliRun viaEnvironment =
        CliRun.run(
            Map.of(
                "KUBECONFIG",
                kubeconfig.toString(),
                "WR_KUBE",
                "1",
                "WR_KUBE_NAMESPACE",
                SYSTEM,
                "WR_MANAGER",
                CliRun.unusedAddress()),
            "services",
            "list");
    int forwarded = relay.opened();
    CliRun explicit = run("--kube", "--manager", manager.address(), "services", "list");

    assertThat(viaEnvironment.exitCode()).as(viaEnvironment.err()).isZero();
    assertThat(viaEnvironment.out()).startsWith("SERVICE         VERSIONS");
    assertThat(forwarded).isPositive();
    assertThat(explicit.exitCode()).as(explicit.err()).isZero();
    assertThat(explicit.out()).isEqualTo(viaEnvironment.out());
    assertThat(relay.opened()).isEqualTo(forwarded);
  }

  @Test
  void modulesListJoinsWasmModulesWithTheManagersRoutes() {
    ModulesListCommandClocks.set(Clock.fixed(createdAt("echo").plusSeconds(52), ZoneOffset.UTC));

    CliRun run = run("--kube", "modules", "list", "-n", EXAMPLES);
    // Both were created in the same second, or caller a second or two later on a busy machine.
    long callerAge =
        52 - (createdAt("caller").getEpochSecond() - createdAt("echo").getEpochSecond());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .isEqualTo(
            """
            NAMESPACE          NAME    MODULE                VERSION  READY  STATUS    ROUTES  AGE  MESSAGE
            wruntime-examples  caller  example.caller@1.0.0  1.0.0    0/1    Degraded  0/1     %ds  exactly one of source.image, source.url or source.configMapRef must be set (found 2)
            wruntime-examples  echo    example.echo@1.0.0    1.0.0    1/1    Ready     1/1     52s  -
            """
                .formatted(callerAge));
  }

  @Test
  void modulesListOfAllNamespacesAndTheContextsNamespace() {
    CliRun all = run("--kube", "modules", "list", "-A");
    CliRun context = run("--kube", "modules", "list");

    assertThat(all.exitCode()).as(all.err()).isZero();
    assertThat(all.out().lines().skip(1).map(l -> l.split("\\s+")[0] + "/" + l.split("\\s+")[1]))
        .containsExactly("shop/orders", "wruntime-examples/caller", "wruntime-examples/echo");
    assertThat(all.out()).contains("shop.orders@1.0.0").contains("Progressing  0/0");
    // The kubeconfig's context names namespace wruntime-examples, as kubectl would use it.
    assertThat(context.exitCode()).as(context.err()).isZero();
    assertThat(context.out().lines().skip(1)).hasSize(2);
  }

  @Test
  void modulesListAsJsonIsTheJoinedRecord() throws Exception {
    CliRun run = run("--kube", "-o", "json", "modules", "list", "-n", EXAMPLES);

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode modules = mapper.readTree(run.out()).get("modules");
    assertThat(modules).hasSize(2);
    JsonNode caller = modules.get(0);
    assertThat(caller.get("name").asText()).isEqualTo("caller");
    assertThat(caller.get("status").asText()).isEqualTo("Degraded");
    assertThat(caller.get("message").asText()).startsWith("exactly one of source.image");
    assertThat(caller.get("routes").get("healthy").asInt()).isZero();
    assertThat(caller.get("routes").get("total").asInt()).isEqualTo(1);
    assertThat(caller.get("routes").get("items").get(0).get("engineId").asText()).isEqualTo("e2");
    JsonNode echo = modules.get(1);
    assertThat(echo.get("message").isNull()).isTrue();
    assertThat(echo.get("routes").get("healthy").asInt()).isEqualTo(1);
    assertThat(echo.get("wasmModule").get("spec").get("namespace").asText()).isEqualTo("example");
    assertThat(echo.get("wasmModule").get("status").get("conditions").get(0).get("type").asText())
        .isEqualTo("Ready");
  }

  @Test
  void invokeGoesThroughTheProxyOfAPodOfTheDestinationModule() {
    CliRun run =
        run("--kube", "invoke", "-d", "http://example.echo/ping", "--data", "hi", "-H", "a=b");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("pong\n");
    assertThat(proxy.requests()).hasSize(1);
    assertThat(proxy.requests().get(0).header("x-wr-destination"))
        .isEqualTo("http://example.echo/ping");
  }

  @Test
  void noManagerServiceInTheNamespaceSaysWhereAndWhatWasLookedFor() {
    CliRun run = run("--kube", "--kube-namespace", "elsewhere", "engines", "list");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_FAILURE);
    assertThat(run.err())
        .isEqualTo(
            "wr-cli: no manager Service in namespace elsewhere (looked for labels"
                + " app.kubernetes.io/component=manager,app.kubernetes.io/part-of=wruntime;"
                + " expected: the wruntime Helm chart installed there, e.g. helm install wruntime"
                + " helm/wruntime -n elsewhere, or --kube-namespace naming where it is)\n");
  }

  @Test
  void noKubeconfigIsAUsageErrorNamingWhatIsMissing(@TempDir Path home) {
    CliRun run = CliRun.run(Map.of("HOME", home.toString()), "--kube", "engines", "list");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_USAGE);
    assertThat(run.err())
        .isEqualTo(
            "wr-cli: no kubeconfig: "
                + home.resolve(".kube/config")
                + " does not exist and KUBECONFIG is not set (expected: the kubeconfig kubectl"
                + " uses, with a context for the cluster)\n");
  }

  @Test
  void anUnknownContextIsAUsageErrorListingTheKnownOnes() {
    CliRun run = run("--kube", "--kube-context", "prod", "engines", "list");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_USAGE);
    assertThat(run.err())
        .isEqualTo(
            "wr-cli: --kube-context prod is not a context of kubeconfig "
                + kubeconfig
                + " (expected one of: mock)\n");
  }

  @Test
  void noCurrentContextIsAUsageError() throws Exception {
    Files.writeString(
        kubeconfig, kubeconfig("mock", server.url("/")).replace("current-context: mock", ""));

    CliRun run = run("--kube", "engines", "list");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_USAGE);
    assertThat(run.err())
        .contains("has no current-context (expected: --kube-context NAME, one of: mock");
  }

  @Test
  void modulesListWithoutKubeExplainsThatItNeedsTheCluster() {
    CliRun run = CliRun.run("modules", "list");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_USAGE);
    assertThat(run.err())
        .isEqualTo(
            "wr-cli: modules list needs the cluster: it reads WasmModules from the Kubernetes API"
                + " (expected: --kube or WR_KUBE=1, with a kubeconfig context for the cluster)\n");
  }

  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> void create(
      Class<T> type, String yaml) {
    T resource = Serialization.unmarshal(yaml, type);
    client.resource(resource).create();
    // The CRUD mock keeps what was created, status included; a real API server would need the
    // status subresource, which is not what these tests are about.
  }

  private Instant createdAt(String name) {
    return Instant.parse(
        client
            .resources(WasmModule.class)
            .inNamespace(EXAMPLES)
            .withName(name)
            .get()
            .getMetadata()
            .getCreationTimestamp());
  }

  private static String managerPod(String name, String ready) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: wruntime-system
          labels: {app.kubernetes.io/name: wruntime, app.kubernetes.io/instance: wruntime,
                   app.kubernetes.io/component: manager}
        spec:
          containers: [{name: manager, image: m, ports: [{name: grpc, containerPort: 9000}]}]
        status:
          phase: Running
          conditions: [{type: Ready, status: '%s'}]
        """
        .formatted(name, ready);
  }

  private static String modulePod(String name, String module) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: wruntime-examples
          labels: {app.kubernetes.io/name: wr-engine, wruntime.io/namespace: example,
                   wruntime.io/module: %s}
        spec:
          containers: [{name: proxy, image: p}]
        status:
          phase: Running
          conditions: [{type: Ready, status: 'True'}]
        """
        .formatted(name, module);
  }

  private static String wasmModule(
      String k8sNamespace, String name, String namespace, String status) {
    return """
        apiVersion: wruntime.io/v1alpha1
        kind: WasmModule
        metadata: {name: %s, namespace: %s}
        spec:
          namespace: %s
          version: 1.0.0
          source: {configMapRef: {name: %s-wasm, key: m.wasm}}
        status:
          %s
        """
        .formatted(name, k8sNamespace, namespace, name, status);
  }

  private static String kubeconfig(String context, String url) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster: {server: "%s"}
        users:
        - name: tester
          user: {token: secret}
        contexts:
        - name: %s
          context: {cluster: mock, user: tester, namespace: wruntime-examples}
        current-context: mock
        """
        .formatted(url, context);
  }

  private static InetSocketAddress loopback(String address) {
    URI uri = URI.create(address);
    return new InetSocketAddress("127.0.0.1", uri.getPort());
  }
}
