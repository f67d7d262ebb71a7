package io.wruntime.operator;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every Kubernetes API permission the operator uses, and no other: the Helm chart's ClusterRole
 * grants exactly these (a chart test compares), and the operator's integration test records its
 * real API traffic and compares it with this list.
 */
public final class OperatorPermissions {
  /** One resource of one API group and the verbs used on it, sorted. */
  public record Rule(String apiGroup, String resource, List<String> verbs) {
    public Rule {
      verbs = verbs.stream().sorted().toList();
    }
  }

  public static final List<Rule> RULES =
      List.of(
          new Rule("wruntime.io", "wasmmodules", List.of("list", "watch")),
          new Rule("wruntime.io", "wasmmodules/status", List.of("patch")),
          // ConfigMaps are written with create and update (JOSDK's default for them), the
          // Deployment and Service with server-side apply (patch, and create for a new one);
          // ConfigMaps and Secrets a module names are read one by one.
          new Rule("", "configmaps", List.of("create", "get", "list", "update", "watch")),
          new Rule("apps", "deployments", List.of("create", "list", "patch", "watch")),
          new Rule("", "services", List.of("create", "list", "patch", "watch")),
          new Rule("", "secrets", List.of("get")),
          // The module's engine pods, whose readiness the status follows.
          new Rule("", "pods", List.of("list", "watch")),
          new Rule("", "events", List.of("create")),
          new Rule("coordination.k8s.io", "leases", List.of("create", "get", "patch", "update")));

  /**
   * Verbs of {@link #RULES} that no request uses but a startup check demands: JOSDK refuses to
   * start leader election without {@code update} on Leases, although Fabric8's lease lock writes
   * with {@code patch}.
   */
  public static final Map<String, Set<String>> CHECKED_NOT_USED =
      Map.of("coordination.k8s.io/leases", Set.of("update"));

  private OperatorPermissions() {}
}
