package io.wruntime.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.wruntime.common.names.Names;

/**
 * A WebAssembly module that wruntime runs on Kubernetes: the operator turns each into engine pods
 * with a proxy sidecar, and the manager routes calls to {@code http://{namespace}.{module}/...} to
 * them.
 */
@Group(WasmModule.GROUP)
@Version(WasmModule.VERSION)
@Kind(WasmModule.KIND)
@Plural(WasmModule.PLURAL)
@Singular("wasmmodule")
@ShortNames("wm")
@AdditionalPrinterColumn(
    name = "Module",
    jsonPath = ".status.module",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Version",
    jsonPath = ".spec.version",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.ready",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Status",
    jsonPath = ".status.state",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
    value =
        "has(self.spec.module) || (size(self.metadata.name) <= "
            + Names.MAX_LENGTH
            + " && self.metadata.name.matches('^"
            + Names.REGEX
            + "$'))",
    message =
        "spec.module is required when metadata.name is not a valid module name (1-24 characters"
            + " of [a-z0-9-], not starting or ending with '-')",
    reason = "FieldValueRequired")
@ValidationRule(
    value =
        "size(self.metadata.name) <= 63 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message =
        "metadata.name also names the module's Service: at most 63 lowercase letters, digits and"
            + " '-', starting with a letter",
    reason = "FieldValueInvalid")
public class WasmModule extends CustomResource<WasmModuleSpec, WasmModuleStatus>
    implements Namespaced {
  public static final String GROUP = "wruntime.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "WasmModule";
  public static final String PLURAL = "wasmmodules";

  /** The module name: {@code spec.module}, else {@code metadata.name}. */
  public String moduleName() {
    WasmModuleSpec spec = getSpec();
    return spec != null && spec.module() != null ? spec.module() : getMetadata().getName();
  }

  /** The logical namespace: {@code spec.namespace}, else the Kubernetes namespace. */
  public String logicalNamespace() {
    WasmModuleSpec spec = getSpec();
    return spec != null && spec.namespace() != null
        ? spec.namespace()
        : getMetadata().getNamespace();
  }
}
