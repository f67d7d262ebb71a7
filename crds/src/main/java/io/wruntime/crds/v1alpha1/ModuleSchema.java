package io.wruntime.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The module's compiled protobuf schema (a FileDescriptorSet, as {@code protoc --include_imports
 * --descriptor_set_out} writes it): exactly one of a ConfigMap key or inline bytes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.configMapRef) != has(self.inline)",
    message = "exactly one of schema.configMapRef or schema.inline must be set",
    reason = "FieldValueInvalid")
public record ModuleSchema(
    @JsonPropertyDescription("A key of a ConfigMap holding the FileDescriptorSet (binaryData).")
        KeyReference configMapRef,
    @JsonPropertyDescription("The FileDescriptorSet itself, base64-encoded.") byte[] inline) {}
