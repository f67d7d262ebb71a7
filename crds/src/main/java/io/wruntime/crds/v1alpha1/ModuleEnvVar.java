package io.wruntime.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** An environment variable the module sees: a value, or a Secret key. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.value) != has(self.secretKeyRef)",
    message = "env: exactly one of value or secretKeyRef must be set",
    reason = "FieldValueInvalid")
public record ModuleEnvVar(
    @JsonPropertyDescription("The variable's name.") @Required @Pattern("^[A-Za-z_][A-Za-z0-9_]*$")
        String name,
    @JsonPropertyDescription("A literal value.") String value,
    @JsonPropertyDescription(
            "A Secret key whose value the module sees; it reaches the engine as a container"
                + " environment variable and is never written to the engine's ConfigMap.")
        KeyReference secretKeyRef) {}
