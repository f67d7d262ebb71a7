package io.wruntime.engine.component;

/**
 * A well-formed component that uses a feature the engine's component runtime does not implement;
 * the message names the feature ("component uses X, not supported").
 */
final class UnsupportedFeature extends RuntimeException {
  private final String feature;

  UnsupportedFeature(String feature) {
    super("component uses " + feature + ", not supported");
    this.feature = feature;
  }

  String feature() {
    return feature;
  }
}
