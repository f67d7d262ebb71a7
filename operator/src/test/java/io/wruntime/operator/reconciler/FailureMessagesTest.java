package io.wruntime.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureMessagesTest {
  @Test
  void aFailedDependentIsNamedWithWhatTheApiServerSaid() {
    KubernetesClientException refused =
        new KubernetesClientException(
            new StatusBuilder()
                .withCode(422)
                .withMessage(
                    "Deployment.apps \"echo\" is invalid: spec.template.metadata.labels: Invalid value")
                .build());
    assertThat(
            FailureMessages.of(
                new AggregatedOperatorException(
                    "Exception(s) during workflow execution.", Map.of("deployment", refused))))
        .isEqualTo(
            "the deployment could not be written: Deployment.apps \"echo\" is invalid:"
                + " spec.template.metadata.labels: Invalid value");
  }

  @Test
  void otherFailuresKeepTheirMessage() {
    assertThat(FailureMessages.of(new IllegalStateException("boom"))).isEqualTo("boom");
  }
}
