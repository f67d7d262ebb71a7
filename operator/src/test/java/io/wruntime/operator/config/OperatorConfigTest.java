package io.wruntime.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.config.ConfigException;
import io.wruntime.operator.Fixtures;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {
  @Test
  void theChartsConfigParses() {
    OperatorConfig config = Fixtures.config();
    assertThat(config.managerAddress().toString())
        .isEqualTo("wruntime-manager.wruntime-system.svc:9000");
    assertThat(config.watchNamespaces()).isEmpty();
    assertThat(config.leaderElection().enabled()).isFalse();
    assertThat(config.pods().engineImage()).isEqualTo("wruntime/wr-engine:0.1.0");
    assertThat(config.pods().imagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(config.pods().engineResources().getLimits().get("memory").toString())
        .isEqualTo("512Mi");
  }

  @Test
  void theNodeTlsSecretIsOptionalAndMustBeASecretName() {
    assertThat(Fixtures.config().pods().nodeTlsSecret()).isNull();
    assertThat(
            OperatorConfig.parse(
                    "o.toml",
                    Fixtures.OPERATOR_TOML.replace(
                        "[proxy]\n", "[proxy]\ntls_secret = \"node-tls\"\n"))
                .pods()
                .nodeTlsSecret())
        .isEqualTo("node-tls");
    assertThatThrownBy(
            () ->
                OperatorConfig.parse(
                    "o.toml",
                    Fixtures.OPERATOR_TOML.replace(
                        "[proxy]\n", "[proxy]\ntls_secret = \"Node_TLS\"\n")))
        .hasMessage(
            "o.toml: proxy.tls_secret = \"Node_TLS\" (expected: the name of a Secret with tls.crt,"
                + " tls.key and ca.crt, or \"\" for plaintext)");
  }

  @Test
  void mistakesNameTheKeyAndWhatWasExpected() {
    assertThatThrownBy(() -> OperatorConfig.parse("o.toml", "manager_address = \"m:9000\"\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "o.toml: engine is missing (expected: a table [engine] with image = \"REGISTRY/wr-engine:TAG\")");
    assertThatThrownBy(
            () ->
                OperatorConfig.parse(
                    "o.toml",
                    Fixtures.OPERATOR_TOML.replace(
                        "image = \"wruntime/wr-engine:0.1.0\"", "image = \"wruntime/wr-engine\"")))
        .hasMessage(
            "o.toml: engine.image = \"wruntime/wr-engine\" (expected: an image with a tag or digest, e.g. wruntime/wr-engine:0.1.0)");
    assertThatThrownBy(
            () ->
                OperatorConfig.parse(
                    "o.toml", Fixtures.OPERATOR_TOML.replace("cpu = \"100m\"", "cpu = \"lots\"")))
        .hasMessage(
            "o.toml: engine.resources.requests.cpu = \"lots\" (expected: a Kubernetes quantity such as 100m, 256Mi or 1)");
    assertThatThrownBy(
            () ->
                OperatorConfig.parse(
                    "o.toml",
                    Fixtures.OPERATOR_TOML.replace("memory = \"256Mi\"", "memory = \"1Gi\"")))
        .hasMessage(
            "o.toml: engine.resources requests.memory = 1Gi is above limits.memory = 512Mi"
                + " (expected: a request at most its limit)");
    assertThatThrownBy(
            () ->
                OperatorConfig.parse(
                    "o.toml", "watch_namespaces = [\"Shop\"]\n" + Fixtures.OPERATOR_TOML))
        .hasMessageContaining("watch_namespaces contains \"Shop\"");
    assertThatThrownBy(() -> OperatorConfig.parse("o.toml", "bogus = 1\n" + Fixtures.OPERATOR_TOML))
        .hasMessageStartingWith(
            "o.toml: bogus is not a known key (expected one of: admin_address,");
  }
}
