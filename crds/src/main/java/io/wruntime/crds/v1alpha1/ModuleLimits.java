package io.wruntime.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Quantity;

/** Limits the engine enforces on the module; each defaults to the engine's default. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModuleLimits(
    @JsonPropertyDescription(
            "Linear memory of one instance, as a quantity (16Mi, 64Mi; between 64Ki and 2097088Ki;"
                + " default 10Mi).")
        Quantity memory,
    @JsonPropertyDescription("How long one request may run, in seconds (default 30).")
        @Min(1)
        @Max(86400)
        Integer requestTimeoutSeconds,
    @JsonPropertyDescription(
            "CPU time one request may use, in seconds (default and at most requestTimeoutSeconds);"
                + " a guest that spins past it gets 504 cpu_time_exceeded.")
        @Min(1)
        @Max(86400)
        Integer cpuTimeoutSeconds,
    @JsonPropertyDescription(
            "Instances running at once in one pod (default 64, at most 1000, the engine's total).")
        @Min(1)
        @Max(1000)
        Integer maxConcurrentInstances,
    @JsonPropertyDescription(
            "Requests that may wait for a free instance; more get 429 (default 128).")
        @Min(0)
        @Max(1000000)
        Integer queueDepth) {}
