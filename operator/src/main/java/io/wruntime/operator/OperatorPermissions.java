package io.wruntime.operator;

import java.util.List;

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
          new Rule("wruntime.io", "wasmmodules", List.of("get", "list", "watch")),
          new Rule("wruntime.io", "wasmmodules/status", List.of("patch")),
          new Rule("", "configmaps", List.of("create", "get", "list", "patch", "watch")),
          new Rule("apps", "deployments", List.of("create", "get", "list", "patch", "watch")),
          new Rule("", "services", List.of("create", "get", "list", "patch", "watch")),
          new Rule("", "secrets", List.of("get")),
          new Rule("", "events", List.of("create")),
          new Rule("coordination.k8s.io", "leases", List.of("create", "get", "update")));

  private OperatorPermissions() {}
}
