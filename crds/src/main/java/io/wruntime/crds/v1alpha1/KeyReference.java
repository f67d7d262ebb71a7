package io.wruntime.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A key of a ConfigMap or Secret in the WasmModule's own Kubernetes namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeyReference(
    @JsonPropertyDescription("Name of the ConfigMap or Secret, in the WasmModule's namespace.")
        @Required
        @Pattern(KeyReference.OBJECT_NAME)
        String name,
    @JsonPropertyDescription("The key within it.") @Required @Pattern(KeyReference.KEY)
        String key) {
  /** A DNS-1123 subdomain, the rule for ConfigMap and Secret names. */
  static final String OBJECT_NAME =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** The rule for ConfigMap and Secret keys. */
  static final String KEY = "^[-._a-zA-Z0-9]+$";
}
