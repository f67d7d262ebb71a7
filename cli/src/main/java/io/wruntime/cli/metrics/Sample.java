package io.wruntime.cli.metrics;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One sample of the Prometheus text format: {@code name{labels} value}.
 *
 * @param name the metric name, with its suffix ({@code wr_proxy_request_duration_seconds_bucket})
 * @param labels label values by name
 * @param value the value ({@code +Inf}, {@code -Inf} and {@code NaN} included)
 */
public record Sample(String name, Map<String, String> labels, double value) {
  public Sample {
    requireNonNull(name, "name");
    labels = Map.copyOf(requireNonNull(labels, "labels"));
  }

  /** The value of a label, or the empty string when the sample does not have it. */
  public String label(String labelName) {
    return labels.getOrDefault(labelName, "");
  }
}
