package io.wruntime.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.wruntime.engine.config.EngineConfig;
import io.wruntime.operator.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the validator lets through, the engine must accept: a rendered engine.toml the engine
 * refuses would be a pod that crash-loops while the WasmModule looks fine. Each spec here is
 * rendered and read with the engine's own configuration reader, or refused by the validator.
 */
class RenderedEngineConfigTest {
  private static final Map<String, String> POD_ENV =
      Map.of("POD_NAME", "echo-1", "POD_IP", "10.0.0.7", "WR_ENV_TOKEN", "secret");

  /** Specs that are valid and must render configs the engine reads. */
  private static final List<String> VALID =
      List.of(
          "",
          "  env: [{name: A, value: \"$HOME ${X} $$ \\\" \\\\ \\n \\t ü 🙂\"}, {name: TOKEN, secretKeyRef: {name: t, key: k}}]\n",
          "  limits: {memory: 64Ki, requestTimeoutSeconds: 86400, cpuTimeoutSeconds: 86400, maxConcurrentInstances: 1000, queueDepth: 0}\n",
          "  limits: {cpuTimeoutSeconds: 30}\n",
          "  limits: {memory: 2097088Ki}\n",
          "  capabilities:\n"
              + "    db: {secretRef: {name: db, key: url}}\n"
              + "    blobstore: {endpoint: \"http://minio.storage:9000/\", region: eu-west-1, buckets: [a.b-c, abc], credentialsSecret: s3}\n"
              + "    llm: {provider: openai, baseUrl: \"https://llm.internal:8443/v1\", apiKeySecretRef: {name: k, key: k}, maxTokens: 1000000}\n"
              + "    fs: {mode: tempdir}\n"
              + "    tracing: {maxSpans: 1000000}\n",
          "  capabilities: {tracing: {}}\n");

  /** Specs the CRD may let through that the engine would refuse: the validator must refuse them. */
  private static final List<String> REFUSED =
      List.of(
          "  limits: {maxConcurrentInstances: 5000}\n",
          "  limits: {cpuTimeoutSeconds: 31}\n",
          "  limits: {requestTimeoutSeconds: 10, cpuTimeoutSeconds: 11}\n",
          "  capabilities: {llm: {apiKeySecretRef: {name: k, key: k}, baseUrl: \"https://api.example.com/v1?x=1\"}}\n",
          "  capabilities: {llm: {apiKeySecretRef: {name: k, key: k}, baseUrl: \"https://u:p@api.example.com\"}}\n",
          "  capabilities: {blobstore: {endpoint: \"http://u:p@minio:9000\", buckets: [abc], credentialsSecret: s}}\n",
          "  capabilities: {blobstore: {endpoint: \"http://minio:9000#x\", buckets: [abc], credentialsSecret: s}}\n");

  @Test
  void everySpecTheValidatorAcceptsRendersAConfigTheEngineReads() {
    for (String extra : VALID) {
      ModulePlan plan = Fixtures.plan(Fixtures.ECHO + extra);
      assertThat(ModuleValidator.validate(plan.module())).as(extra).isEmpty();
      String toml = EngineToml.engine(plan);
      assertThatCode(() -> EngineConfig.parse("engine.toml", toml, POD_ENV))
          .as("%s%n%s", extra, toml)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void imageAndUrlSourcesRenderConfigsTheEngineReads() {
    for (String source :
        List.of(
            "source: {image: \"registry.example.com:5000/team/echo:1.0.0\"}",
            "source: {image: \"localhost:5000/echo@sha256:" + "ab".repeat(32) + "\"}",
            "source: {url: \"https://example.com/echo.wasm\", sha256: \""
                + "ab".repeat(32)
                + "\"}")) {
      String yaml =
          Fixtures.ECHO.replace(
              "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}", source);
      ModulePlan plan = Fixtures.plan(yaml);
      assertThat(ModuleValidator.validate(plan.module())).as(source).isEmpty();
      String toml = EngineToml.engine(plan);
      assertThatCode(() -> EngineConfig.parse("engine.toml", toml, POD_ENV))
          .as("%s%n%s", source, toml)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void specsTheEngineWouldRefuseAreRefusedBeforeAnythingIsRendered() {
    for (String extra : REFUSED) {
      assertThat(ModuleValidator.validate(Fixtures.module(Fixtures.ECHO + extra)))
          .as(extra)
          .isNotEmpty();
    }
    for (String source :
        List.of(
            "source: {image: \"-reg.io/x:1\"}",
            "source: {image: \"a/b\"}",
            "source: {url: \"https://example.com/%zz\", sha256: \"" + "ab".repeat(32) + "\"}",
            "source: {url: \"http://example.com/e.wasm\", sha256: \"" + "ab".repeat(32) + "\"}")) {
      assertThat(
              ModuleValidator.validate(
                  Fixtures.module(
                      Fixtures.ECHO.replace(
                          "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}", source))))
          .as(source)
          .isNotEmpty();
    }
  }

  @Test
  void podMetadataAndResourcesTheApiServerWouldRefuseAreNamed() {
    assertThat(
            ModuleValidator.validate(
                Fixtures.module(
                    Fixtures.ECHO
                        + "  podLabels: {\"bad key!\": v, ok: \"value with spaces\"}\n"
                        + "  resources: {engine: {requests: {memory: 1Gi}, limits: {memory: 512Mi}}}\n")))
        .extracting(SpecProblem::message)
        .containsExactly(
            "spec.podLabels key \"bad key!\" is not a valid label key (expected: an optional DNS"
                + " prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and"
                + " ending with a letter or digit)",
            "spec.podLabels ok = \"value with spaces\" is not a valid label value (expected: at"
                + " most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or"
                + " digit)",
            "spec.resources.engine: requests.memory = 1Gi is above limits.memory = 512Mi"
                + " (expected: a request at most its limit)");
  }

  @Test
  void aConfigTooLargeForAConfigMapIsAProblemNotAFailedWrite() {
    StringBuilder env = new StringBuilder("  env:\n");
    for (int i = 0; i < 3500; i++) {
      env.append("    - {name: V")
          .append(i)
          .append(", value: \"")
          .append("x".repeat(300))
          .append("\"}\n");
    }
    ModulePlan plan = Fixtures.plan(Fixtures.ECHO + env);
    assertThat(plan.sizeProblem())
        .hasValueSatisfying(
            p -> assertThat(p.message()).startsWith("the engine configuration and schema take "));
    assertThat(Fixtures.plan(Fixtures.ECHO).sizeProblem()).isEmpty();
  }
}
