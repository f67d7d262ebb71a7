package io.wruntime.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** Compute resources of the two containers of each pod; the operator's defaults otherwise. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerResources(
    @JsonPropertyDescription("Requests and limits of the engine container.")
        ResourceRequirements engine,
    @JsonPropertyDescription("Requests and limits of the proxy container.")
        ResourceRequirements proxy) {}
