package io.wruntime.cli.kube;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.wruntime.cli.CliException;
import io.wruntime.cli.client.ConnectionFailures;
import io.wruntime.cli.client.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One command's connection to a cluster: a Kubernetes client for the kubeconfig's context and the
 * port-forwards opened through it, to the manager's Service and to module pods' proxies. Each
 * forward listens on an ephemeral loopback port; {@link #close()} stops them all.
 */
public final class KubeSession implements AutoCloseable {
  /** The labels of the manager's Service in the Helm chart. */
  public static final Map<String, String> MANAGER_LABELS =
      orderedMap("app.kubernetes.io/component", "manager", "app.kubernetes.io/part-of", "wruntime");

  /** The label every module pod carries (the operator's {@code Labels.selector}). */
  public static final Map<String, String> MODULE_POD_LABELS =
      Map.of("app.kubernetes.io/name", "wr-engine");

  /** The labels naming a module pod's logical namespace and module. */
  public static final String NAMESPACE_LABEL = "wruntime.io/namespace";

  public static final String MODULE_LABEL = "wruntime.io/module";

  /** The proxy's module-traffic port, on the loopback of every module pod. */
  public static final int PROXY_PORT = 9001;

  /** The proxy's admin port ({@code /metrics}) in every module pod. */
  public static final int PROXY_ADMIN_PORT = 9091;

  /** The port name of the manager's gRPC port in the chart's Service. */
  static final String GRPC_PORT_NAME = "grpc";

  /**
   * Where a forward listens and what it reaches.
   *
   * @param endpoint {@code http://127.0.0.1:PORT}, the local end
   * @param description e.g. {@code port-forward to pod wruntime-system/wruntime-manager-0:9000}
   */
  public record Forward(Endpoint endpoint, String description) {}

  private final KubernetesClient client;
  private final String context;
  private final String managerNamespace;
  private final List<LocalPortForward> forwards = new ArrayList<>();
  private Forward manager;

  private KubeSession(KubernetesClient client, String context, String managerNamespace) {
    this.client = client;
    this.context = context;
    this.managerNamespace = managerNamespace;
  }

  /**
   * A session for {@code config}'s context; nothing is asked of the API server yet.
   *
   * @param managerNamespace where the manager's Service is looked for
   */
  public static KubeSession open(Config config, String managerNamespace) {
    requireNonNull(config, "config");
    requireNonNull(managerNamespace, "managerNamespace");
    String context =
        config.getCurrentContext() == null ? null : config.getCurrentContext().getName();
    return new KubeSession(
        new KubernetesClientBuilder().withConfig(config).build(), context, managerNamespace);
  }

  /** The client; calls through {@link #api} turn its failures into messages. */
  public KubernetesClient client() {
    return client;
  }

  /** The namespace of the kubeconfig's context, {@code default} when it sets none. */
  public String contextNamespace() {
    String namespace = client.getNamespace();
    return namespace == null || namespace.isBlank() ? "default" : namespace;
  }

  /**
   * Runs one request to the API server.
   *
   * @param what what is being done, for the message: {@code "list WasmModules"}
   * @throws CliException naming the API server and context, and why
   */
  public <T> T api(String what, Supplier<T> request) {
    try {
      return request.get();
    } catch (KubernetesClientException e) {
      throw failure(what, e);
    }
  }

  /** A message for a failed request to the API server. */
  public CliException failure(String what, KubernetesClientException e) {
    String reason = ConnectionFailures.reason(e);
    if (reason == null) {
      reason =
          e.getCode() == 403
              ? "forbidden: "
                  + (e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage())
              : e.getStatus() != null && e.getStatus().getMessage() != null
                  ? e.getStatus().getMessage()
                  : deepestMessage(e);
    }
    return new CliException(
        "cannot " + what + " through the Kubernetes API at " + apiServer() + ": " + reason, e);
  }

  /** Fabric8's own message is often "An error has occurred."; the cause says what. */
  private static String deepestMessage(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    return message;
  }

  private String apiServer() {
    return client.getMasterUrl() + (context == null ? "" : " (context " + context + ")");
  }

  /**
   * A forward to a ready pod behind the manager's Service in the manager namespace, opened on the
   * first call.
   *
   * @throws CliException when there is no such Service, no ready pod, or the API fails
   */
  public Forward manager() {
    if (manager != null) {
      return manager;
    }
    List<Service> services =
        api(
            "find the manager's Service",
            () ->
                client
                    .services()
                    .inNamespace(managerNamespace)
                    .withLabels(MANAGER_LABELS)
                    .list()
                    .getItems());
    Service service =
        services.stream()
            .min(Comparator.comparing(s -> s.getMetadata().getName()))
            .orElseThrow(
                () ->
                    new CliException(
                        "no manager Service in namespace "
                            + managerNamespace
                            + " (looked for labels "
                            + ReadyPods.selector(MANAGER_LABELS)
                            + "; expected: the wruntime Helm chart installed there, e.g. helm"
                            + " install wruntime helm/wruntime -n "
                            + managerNamespace
                            + ", or --kube-namespace naming where it is)"));
    String name = managerNamespace + "/" + service.getMetadata().getName();
    List<ServicePort> ports =
        service.getSpec() == null || service.getSpec().getPorts() == null
            ? List.of()
            : service.getSpec().getPorts();
    ServicePort port =
        ports.stream()
            .filter(p -> GRPC_PORT_NAME.equals(p.getName()))
            .findFirst()
            .or(() -> ports.stream().findFirst())
            .orElseThrow(
                () ->
                    new CliException(
                        "the manager Service " + name + " has no ports (expected: grpc 9000)"));
    Map<String, String> selector = service.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      throw new CliException(
          "the manager Service " + name + " has no selector (expected: the chart's Service)");
    }
    List<Pod> pods =
        api(
            "list the manager's pods",
            () ->
                client.pods().inNamespace(managerNamespace).withLabels(selector).list().getItems());
    Pod pod =
        ReadyPods.first(pods)
            .orElseThrow(
                () ->
                    new CliException(
                        "the manager Service "
                            + name
                            + " has no ready pod (selector "
                            + ReadyPods.selector(selector)
                            + ", "
                            + pods.size()
                            + " pod(s) found; expected: kubectl get pods -n "
                            + managerNamespace
                            + " to show the manager Running and ready)"));
    int target =
        ReadyPods.targetPort(pod, port)
            .orElseThrow(
                () ->
                    new CliException(
                        "the manager pod "
                            + managerNamespace
                            + "/"
                            + pod.getMetadata().getName()
                            + " declares no port "
                            + port.getTargetPort().getStrVal()
                            + " (the target of Service "
                            + name
                            + ")"));
    manager = forward(pod, target, "Service " + name);
    return manager;
  }

  /**
   * A forward to the proxy of a ready module pod: one of {@code namespace.module}'s when it has
   * one, else any module's (every proxy routes to every module).
   *
   * @param namespace the destination's logical namespace, or null when it is not a module
   * @param module the destination's module, or null
   */
  public Forward proxy(String namespace, String module) {
    return forward(modulePod(namespace, module), PROXY_PORT, null);
  }

  /** A forward to the admin port ({@code /metrics}) of a ready module pod's proxy. */
  public Forward proxyAdmin() {
    return forward(modulePod(null, null), PROXY_ADMIN_PORT, null);
  }

  private Pod modulePod(String namespace, String module) {
    if (namespace != null && module != null) {
      Map<String, String> labels = new LinkedHashMap<>(MODULE_POD_LABELS);
      labels.put(NAMESPACE_LABEL, namespace);
      labels.put(MODULE_LABEL, module);
      Optional<Pod> own = ReadyPods.first(modulePods(labels));
      if (own.isPresent()) {
        return own.get();
      }
    }
    return ReadyPods.first(modulePods(MODULE_POD_LABELS))
        .orElseThrow(
            () ->
                new CliException(
                    "no ready module pod in the cluster (looked for labels "
                        + ReadyPods.selector(MODULE_POD_LABELS)
                        + " in every namespace; expected: a Ready WasmModule, its proxy carries"
                        + " the call; see wr-cli --kube modules list -A)"));
  }

  private List<Pod> modulePods(Map<String, String> labels) {
    return api(
        "list module pods",
        () -> client.pods().inAnyNamespace().withLabels(labels).list().getItems());
  }

  private Forward forward(Pod pod, int port, String via) {
    String name = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    LocalPortForward forward =
        api(
            "port-forward to pod " + name,
            () ->
                client
                    .pods()
                    .inNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName())
                    .portForward(port, InetAddress.getLoopbackAddress(), 0));
    forwards.add(forward);
    Endpoint local = new Endpoint("http", "127.0.0.1", forward.getLocalPort());
    return new Forward(
        local, "port-forward to pod " + name + ":" + port + (via == null ? "" : " behind " + via));
  }

  /** Stops every forward and the client. */
  @Override
  public void close() {
    for (LocalPortForward forward : forwards) {
      try {
        forward.close();
      } catch (IOException | RuntimeException e) {
        // The command has its answer; a forward that fails to stop dies with the JVM.
      }
    }
    forwards.clear();
    client.close();
  }

  private static Map<String, String> orderedMap(String k1, String v1, String k2, String v2) {
    Map<String, String> map = new LinkedHashMap<>();
    map.put(k1, v1);
    map.put(k2, v2);
    return java.util.Collections.unmodifiableMap(map);
  }
}
