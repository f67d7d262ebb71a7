package io.wruntime.operator.model;

/** Ports and paths inside an engine pod, shared by the configs and the Deployment. */
public final class PodLayout {
  public static final int ENGINE_PORT = 9100;
  public static final int ENGINE_ADMIN_PORT = 9090;
  public static final int PROXY_PORT = 9001;
  public static final int PROXY_CONTROL_PORT = 9002;
  public static final int PROXY_ADMIN_PORT = 9091;
  public static final int PEER_PORT = 9443;

  public static final String ENGINE_ADMIN_PORT_NAME = "engine-admin";
  public static final String PROXY_ADMIN_PORT_NAME = "proxy-admin";
  public static final String PEER_PORT_NAME = "peer";

  public static final String CONFIG_DIR = "/etc/wruntime";
  public static final String ENGINE_TOML = "engine.toml";
  public static final String PROXY_TOML = "proxy.toml";
  public static final String SCHEMA_FILE = "schema.binpb";
  public static final String MODULE_DIR = "/var/lib/wruntime/module";
  public static final String MODULE_FILE = "module.wasm";
  public static final String SECRETS_DIR = "/var/run/secrets/wruntime";

  /** Where the proxy container finds the node certificate's Secret (tls.crt, tls.key, ca.crt). */
  public static final String NODE_TLS_DIR = SECRETS_DIR + "/node-tls";

  /**
   * Where the {@code .dockerconfigjson} of each of {@code source.imagePullSecrets} is mounted, as
   * {@code <index>.json} in the order listed.
   */
  public static final String REGISTRY_AUTH_DIR = SECRETS_DIR + "/registry";

  /** The prefix of the container variables that carry a module's secret env values. */
  public static final String SECRET_ENV_PREFIX = "WR_ENV_";

  private PodLayout() {}
}
