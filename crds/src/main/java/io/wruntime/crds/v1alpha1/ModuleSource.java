package io.wruntime.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import java.util.List;

/** Where the module's WebAssembly binary comes from: exactly one of three kinds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.image) ? 1 : 0) + (has(self.url) ? 1 : 0) + (has(self.configMapRef) ? 1 : 0)"
            + " == 1",
    message = "exactly one of source.image, source.url or source.configMapRef must be set",
    reason = "FieldValueInvalid")
@ValidationRule(
    value = "has(self.url) == has(self.sha256)",
    message = "source.url and source.sha256 go together: a URL is verified against its digest",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "!has(self.imagePullSecrets) || has(self.image)",
    message = "source.imagePullSecrets applies to source.image only",
    reason = "FieldValueForbidden")
public record ModuleSource(
    @JsonPropertyDescription(
            "An OCI artifact holding the module, e.g. registry.example.com/team/echo:1.0.0 or"
                + " ...@sha256:<digest> to pin it.")
        @Pattern(ModuleSource.IMAGE)
        String image,
    @JsonPropertyDescription(
            "Secrets of type kubernetes.io/dockerconfigjson with credentials for the image's"
                + " registry.")
        List<LocalObjectReference> imagePullSecrets,
    @JsonPropertyDescription("An https:// URL of the module binary; requires sha256.")
        @Pattern("^https://[^\\s]+$")
        String url,
    @JsonPropertyDescription("The SHA-256 digest of the binary at url, 64 lowercase hex digits.")
        @Pattern("^[a-f0-9]{64}$")
        String sha256,
    @JsonPropertyDescription(
            "A key of a ConfigMap holding the binary (binaryData; at most 1 MiB, the ConfigMap"
                + " limit).")
        KeyReference configMapRef) {
  /** A registry host with optional port, a repository path and a tag and/or digest. */
  static final String IMAGE =
      "^[a-zA-Z0-9.-]+(:[0-9]+)?/[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[a-f0-9]{64})?$";

  /** Which kind of source this is, for messages and labels. */
  public String kind() {
    if (image != null) {
      return "image";
    }
    if (url != null) {
      return "url";
    }
    return configMapRef != null ? "configMapRef" : "none";
  }
}
