package io.wruntime.manager.cluster;

/**
 * The labels, names and ports of what the wruntime operator creates for a WasmModule, as cluster
 * mode reads them. They mirror the operator's {@code Labels} and {@code PodLayout}; the manager
 * does not depend on the operator, so a change there must be made here too.
 */
public final class EngineLabels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MODULE = "wruntime.io/module";
  public static final String NAMESPACE = "wruntime.io/namespace";
  public static final String MODULE_VERSION = "wruntime.io/version";

  /** The label selector of engine pods and their ConfigMaps. */
  public static final String SELECTOR = MANAGED_BY + "=wruntime-operator," + NAME + "=wr-engine";

  /** The container of an engine pod whose port {@link #PEER_PORT_NAME} other proxies call. */
  public static final String PROXY_CONTAINER = "proxy";

  public static final String PEER_PORT_NAME = "peer";

  /** The key of the module's schema in the binaryData of its ConfigMap. */
  public static final String SCHEMA_KEY = "schema.binpb";

  private EngineLabels() {}

  /** The name of the ConfigMap the operator writes for the WasmModule {@code name}. */
  public static String configMapName(String wasmModule) {
    return wasmModule + "-engine";
  }

  /** A module version from a label value: labels cannot hold '+', the operator writes '_'. */
  public static String versionFromLabel(String value) {
    return value.replace('_', '+');
  }
}
