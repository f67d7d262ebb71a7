package io.wruntime.operator;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.operator.config.OperatorConfig;
import io.wruntime.operator.model.ModulePlan;

/** WasmModules and operator settings for tests, written as users write them. */
public final class Fixtures {
  public static final String OPERATOR_TOML =
      """
      manager_address = "wruntime-manager.wruntime-system.svc:9000"
      admin_address = "127.0.0.1:0"
      [leader_election]
      enabled = false
      [engine]
      image = "wruntime/wr-engine:0.1.0"
      otel_endpoint = "http://otel-collector.observability:4318"
      image_pull_secrets = ["registry-creds"]
      [engine.resources]
      requests = { cpu = "100m", memory = "256Mi" }
      limits = { memory = "512Mi" }
      [proxy]
      image = "wruntime/wr-proxy:0.1.0"
      [proxy.resources]
      requests = { cpu = "50m", memory = "128Mi" }
      """;

  /** A minimal valid echo module whose binary and schema live in ConfigMaps. */
  public static final String ECHO =
      """
      apiVersion: wruntime.io/v1alpha1
      kind: WasmModule
      metadata: {name: echo, namespace: shop, uid: 0b6f1a9e-0000-4000-8000-000000000001, generation: 1}
      spec:
        version: 1.0.0
        source: {configMapRef: {name: echo-wasm, key: echo.wasm}}
        schema: {configMapRef: {name: echo-schema, key: echo.binpb}}
      """;

  private Fixtures() {}

  public static OperatorConfig config() {
    return OperatorConfig.parse("operator.toml", OPERATOR_TOML);
  }

  public static WasmModule module(String yaml) {
    return Serialization.unmarshal(yaml, WasmModule.class);
  }

  public static ModulePlan plan(String yaml) {
    return plan(yaml, config());
  }

  /** The plan of {@code yaml} when the operator gives every proxy the node certificate Secret. */
  public static ModulePlan planWithNodeTls(String yaml) {
    return plan(
        yaml,
        OperatorConfig.parse(
            "operator.toml",
            OPERATOR_TOML.replace("[proxy]\n", "[proxy]\ntls_secret = \"wruntime-node-tls\"\n")));
  }

  private static ModulePlan plan(String yaml, OperatorConfig config) {
    return new ModulePlan(
        module(yaml),
        new byte[] {1, 2, 3},
        "ab".repeat(32),
        config.pods(),
        config.managerAddress());
  }
}
