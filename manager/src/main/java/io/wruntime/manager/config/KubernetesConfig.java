package io.wruntime.manager.config;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.config.TomlTable;
import io.wruntime.common.net.HostPort;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code [kubernetes]} table of {@code manager.toml}: cluster mode, in which the routing table
 * is built from WasmModules and engine pods instead of engine registrations.
 *
 * @param enabled whether the manager runs in cluster mode
 * @param watchNamespaces the Kubernetes namespaces to watch; empty for every namespace
 * @param engineAddress where an engine pod's proxy reaches the engine inside the pod (the
 *     operator's pod layout: the engine listens on the pod's loopback); the address of local routes
 */
public record KubernetesConfig(
    boolean enabled, List<String> watchNamespaces, HostPort engineAddress) {
  /** The engine's listen address in the pods the operator creates. */
  public static final String DEFAULT_ENGINE_ADDRESS = "127.0.0.1:9100";

  private static final Set<String> KEYS = Set.of("enabled", "watch_namespaces", "engine_address");
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public KubernetesConfig {
    watchNamespaces = List.copyOf(requireNonNull(watchNamespaces, "watchNamespaces"));
    requireNonNull(engineAddress, "engineAddress");
  }

  /** Cluster mode off: engines registering through their proxies feed the registry. */
  public static KubernetesConfig disabled() {
    return new KubernetesConfig(false, List.of(), HostPort.parse(DEFAULT_ENGINE_ADDRESS, false));
  }

  static KubernetesConfig read(TomlTable table) {
    table.rejectUnknownKeys(KEYS);
    boolean enabled = table.bool("enabled", false);
    List<String> namespaces = table.strings("watch_namespaces");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < namespaces.size(); i++) {
      String namespace = namespaces.get(i);
      if (!NAMESPACE.matcher(namespace).matches()) {
        throw table.error(
            "watch_namespaces[" + i + "]",
            "= \""
                + namespace
                + "\" (expected: a Kubernetes namespace name, lower-case letters, digits and '-',"
                + " at most 63 characters)");
      }
      if (!seen.add(namespace)) {
        throw table.error(
            "watch_namespaces[" + i + "]",
            "= \"" + namespace + "\" is listed twice (expected: each namespace once)");
      }
    }
    HostPort engine =
        table.address("engine_address", DEFAULT_ENGINE_ADDRESS, false, DEFAULT_ENGINE_ADDRESS);
    if (engine.port() == 0) {
      throw table.error(
          "engine_address",
          "= "
              + engine
              + " (expected: the engine's port inside the pod, e.g. "
              + DEFAULT_ENGINE_ADDRESS
              + ")");
    }
    return new KubernetesConfig(enabled, namespaces, engine);
  }
}
