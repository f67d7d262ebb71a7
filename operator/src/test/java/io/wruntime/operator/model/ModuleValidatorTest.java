package io.wruntime.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.operator.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleValidatorTest {
  private static List<SpecProblem> problems(String yaml) {
    return ModuleValidator.validate(Fixtures.module(yaml));
  }

  @Test
  void aValidModuleHasNoProblem() {
    assertThat(problems(Fixtures.ECHO)).isEmpty();
  }

  @Test
  void twoSourcesAreRefusedNamingTheRule() {
    assertThat(
            problems(
                Fixtures.ECHO.replace(
                    "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}",
                    "source: {configMapRef: {name: echo-wasm, key: echo.wasm}, image: r.example.com/e:1}")))
        .containsExactly(
            new SpecProblem(
                "InvalidSpec",
                "exactly one of source.image, source.url or source.configMapRef must be set (found 2)"));
  }

  @Test
  void aBadVersionIsRefusedWithWhatWasExpected() {
    assertThat(problems(Fixtures.ECHO.replace("version: 1.0.0", "version: \"1.0\"")))
        .containsExactly(
            new SpecProblem(
                "InvalidSpec",
                "spec.version \"1.0\" is not a semantic version (expected: MAJOR.MINOR.PATCH, e.g. 1.0.0)"));
  }

  @Test
  void anUnknownCapabilityIsNamedWithTheKnownOnes() {
    assertThat(problems(Fixtures.ECHO + "  capabilities: {redis: {url: x}}\n"))
        .containsExactly(
            new SpecProblem(
                "UnknownCapability",
                "spec.capabilities.redis is not a capability (expected one of: db, blobstore, llm, fs, tracing)"));
  }

  @Test
  void aKubernetesNamespaceThatIsNoWruntimeNamespaceNeedsSpecNamespace() {
    assertThat(
            problems(
                Fixtures.ECHO.replace(
                    "namespace: shop", "namespace: a-very-long-kubernetes-namespace")))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.reason()).isEqualTo("InvalidNamespace");
              assertThat(p.message())
                  .startsWith("spec.namespace is required: the Kubernetes namespace is not a valid")
                  .contains("(expected: at most 24)");
            });
    assertThat(
            problems(
                Fixtures.ECHO
                    .replace("namespace: shop", "namespace: a-very-long-kubernetes-namespace")
                    .replace("version: 1.0.0", "version: 1.0.0\n  namespace: shop")))
        .isEmpty();
  }

  @Test
  void imagesAndUrlsAreValidSources() {
    assertThat(
            problems(
                Fixtures.ECHO.replace(
                    "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}",
                    "source: {image: registry.example.com/team/echo:1.0.0, imagePullSecrets:"
                        + " [{name: pull}]}")))
        .isEmpty();
    assertThat(
            problems(
                Fixtures.ECHO.replace(
                    "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}",
                    "source: {url: \"https://example.com/echo.wasm\", sha256: "
                        + "a".repeat(64)
                        + "}")))
        .isEmpty();
  }

  @Test
  void pullSecretsApplyToImagesOnly() {
    assertThat(
            problems(
                Fixtures.ECHO.replace(
                    "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}",
                    "source: {configMapRef: {name: echo-wasm, key: echo.wasm}, imagePullSecrets:"
                        + " [{name: pull}]}")))
        .containsExactly(
            new SpecProblem("InvalidSpec", "source.imagePullSecrets applies to source.image only"));
  }

  @Test
  void memoryOutsideTheEnginesRangeIsRefused() {
    assertThat(problems(Fixtures.ECHO + "  limits: {memory: 8Gi}\n"))
        .extracting(SpecProblem::message)
        .containsExactly(
            "spec.limits.memory = 8Gi (expected: whole bytes from 64Ki to 2097088Ki, 2 GiB less one"
                + " 64 KiB page, the engine's range)");
    assertThat(problems(Fixtures.ECHO + "  limits: {memory: 64Mi}\n")).isEmpty();
  }

  @Test
  void envNamesAppearOnceAndHaveOneValue() {
    assertThat(
            problems(
                Fixtures.ECHO + "  env: [{name: A, value: x}, {name: A, value: y}, {name: B}]\n"))
        .extracting(SpecProblem::message)
        .containsExactly(
            "spec.env names A twice (expected: once)",
            "spec.env B: exactly one of value or secretKeyRef must be set");
  }

  @Test
  void blobstoreBucketsRegionAndUrlsAreCheckedAsTheEngineChecksThem() {
    assertThat(
            problems(
                Fixtures.ECHO
                    + "  capabilities:\n"
                    + "    blobstore: {buckets: [ok-bucket, Bad_Bucket, ok-bucket], region: \"eu west\","
                    + " endpoint: \"ftp://x\", credentialsSecret: s3}\n"
                    + "    llm: {apiKeySecretRef: {name: k, key: k}, baseUrl: nope}\n"))
        .extracting(SpecProblem::message)
        .containsExactly(
            "spec.capabilities.blobstore.buckets: \"Bad_Bucket\" is not a valid S3 bucket name"
                + " (expected: 3-63 lowercase letters, digits, '.' and '-', starting and ending with"
                + " a letter or digit, without '..', not an IP address)",
            "spec.capabilities.blobstore.buckets names \"ok-bucket\" twice (expected: once)",
            "spec.capabilities.blobstore.region \"eu west\" is not a valid region (expected: 1-64"
                + " letters, digits, '-' and '_', e.g. us-east-1)",
            "spec.capabilities.blobstore.endpoint = \"ftp://x\" is not an http(s) URL (expected:"
                + " http:// or https://, a host, an optional port and path)",
            "spec.capabilities.llm.baseUrl = \"nope\" is not an http(s) URL (expected: http:// or"
                + " https://, a host, an optional port and path)");
  }
}
