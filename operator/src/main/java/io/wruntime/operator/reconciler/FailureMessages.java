package io.wruntime.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A failed reconciliation in a user's words: which resource failed and what the API server said,
 * without the client's request dump and stack of wrappers.
 */
final class FailureMessages {
  private FailureMessages() {}

  static String of(Exception e) {
    if (e instanceof AggregatedOperatorException aggregated
        && !aggregated.getAggregatedExceptions().isEmpty()) {
      return new TreeMap<>(aggregated.getAggregatedExceptions())
          .entrySet().stream()
              .map(
                  entry ->
                      "the " + entry.getKey() + " could not be written: " + of(entry.getValue()))
              .collect(Collectors.joining("; "));
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k
          && k.getStatus() != null
          && k.getStatus().getMessage() != null) {
        return k.getStatus().getMessage();
      }
    }
    return Objects.requireNonNullElse(e.getMessage(), e.toString());
  }
}
