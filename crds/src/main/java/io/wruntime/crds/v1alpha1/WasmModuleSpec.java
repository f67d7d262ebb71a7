package io.wruntime.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import io.wruntime.common.names.Names;
import io.wruntime.common.names.SemVer;
import java.util.List;
import java.util.Map;

/** What the user declares. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WasmModuleSpec(
    @JsonPropertyDescription(
            "The module name callers use in http://{namespace}.{module}/...; 1-24 characters of"
                + " [a-z0-9-]. Defaults to metadata.name.")
        @Pattern("^" + Names.REGEX + "$")
        @Size(max = Names.MAX_LENGTH)
        String module,
    @JsonPropertyDescription(
            "The logical namespace callers use; same rule as module. Defaults to the Kubernetes"
                + " namespace.")
        @Pattern("^" + Names.REGEX + "$")
        @Size(max = Names.MAX_LENGTH)
        String namespace,
    @JsonPropertyDescription("The module's semantic version, e.g. 1.0.0 or 2.1.0-rc.1.")
        @Required
        @Pattern("^" + SemVer.REGEX + "$")
        String version,
    @JsonPropertyDescription(
            "Where the module binary comes from: image, url + sha256, or configMapRef.")
        @Required
        ModuleSource source,
    @JsonPropertyDescription(
            "The compiled protobuf schema. Required unless another WasmModule declares the same"
                + " namespace, module and version with one.")
        ModuleSchema schema,
    @JsonPropertyDescription("Engine pods to run (default 1); the scale subresource sets it.")
        @SpecReplicas
        @Default("1")
        @Min(0)
        @Max(1000)
        Integer replicas,
    @JsonPropertyDescription("Host capabilities granted to the module: db, blobstore, llm, fs.")
        Capabilities capabilities,
    @JsonPropertyDescription("Limits the engine enforces on the module.") ModuleLimits limits,
    @JsonPropertyDescription("Environment variables the module sees; each name once.")
        List<ModuleEnvVar> env,
    @JsonPropertyDescription("Compute resources of the engine and proxy containers.")
        ContainerResources resources,
    @JsonPropertyDescription("Node labels the pods must match.") Map<String, String> nodeSelector,
    @JsonPropertyDescription("Tolerations of the pods.") List<Toleration> tolerations,
    @JsonPropertyDescription("Affinity rules of the pods.") Affinity affinity,
    @JsonPropertyDescription(
            "The ServiceAccount the pods run as (default: the namespace's default).")
        @Pattern(KeyReference.OBJECT_NAME)
        String serviceAccountName,
    @JsonPropertyDescription(
            "Extra labels of the pods (the operator's own app.kubernetes.io/* and wruntime.io/*"
                + " labels win).")
        Map<String, String> podLabels,
    @JsonPropertyDescription("Extra annotations of the pods.") Map<String, String> podAnnotations) {

  /** The replicas to run: {@link #replicas()}, or 1 when unset. */
  public int desiredReplicas() {
    return replicas == null ? 1 : replicas;
  }
}
