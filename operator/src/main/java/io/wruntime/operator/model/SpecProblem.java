package io.wruntime.operator.model;

import static java.util.Objects.requireNonNull;

/**
 * Something wrong with a WasmModule that the CRD could not refuse: the reason is the {@code
 * Degraded} condition's (CamelCase, per the API conventions), the message says what to fix.
 */
public record SpecProblem(String reason, String message) {
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String INVALID_NAMESPACE = "InvalidNamespace";
  public static final String UNKNOWN_CAPABILITY = "UnknownCapability";
  public static final String CONFIG_MAP_NOT_FOUND = "ConfigMapNotFound";
  public static final String CONFIG_MAP_KEY_NOT_FOUND = "ConfigMapKeyNotFound";
  public static final String INVALID_MODULE_BINARY = "InvalidModuleBinary";
  public static final String SCHEMA_REQUIRED = "SchemaRequired";
  public static final String INVALID_SCHEMA = "InvalidSchema";
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  public static final String SECRET_KEY_NOT_FOUND = "SecretKeyNotFound";

  public SpecProblem {
    requireNonNull(reason, "reason");
    requireNonNull(message, "message");
  }
}
