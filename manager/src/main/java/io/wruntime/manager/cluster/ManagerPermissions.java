package io.wruntime.manager.cluster;

import java.util.List;

/**
 * Every Kubernetes API permission the manager uses in cluster mode, and no other: the Helm chart's
 * ClusterRole for the manager grants exactly these (a chart test compares), and the manager's test
 * against a real API server records its requests and compares them with this list.
 */
public final class ManagerPermissions {
  /** One resource of one API group and the verbs used on it, sorted. */
  public record Rule(String apiGroup, String resource, List<String> verbs) {
    public Rule {
      verbs = verbs.stream().sorted().toList();
    }
  }

  /** Informers list and then watch; nothing is read one by one or written. */
  public static final List<Rule> RULES =
      List.of(
          new Rule("wruntime.io", "wasmmodules", List.of("list", "watch")),
          new Rule("", "pods", List.of("list", "watch")),
          new Rule("", "configmaps", List.of("list", "watch")));

  private ManagerPermissions() {}
}
