package io.wruntime.operator.model;

import io.wruntime.crds.v1alpha1.WasmModule;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels and annotations the operator puts on what it creates for a WasmModule. */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String VERSION = "app.kubernetes.io/version";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MODULE = "wruntime.io/module";
  public static final String NAMESPACE = "wruntime.io/namespace";
  public static final String MODULE_VERSION = "wruntime.io/version";

  /** The value of {@link #MANAGED_BY}; the operator's informers select on it. */
  public static final String OPERATOR = "wruntime-operator";

  /** The label selector of the operator's informers on what it creates. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + OPERATOR;

  /** The pod annotation whose change rolls the pods when their configuration changes. */
  public static final String CONFIG_HASH = "wruntime.io/config-hash";

  private Labels() {}

  /** The immutable selector of the module's pods: it never names the version, which changes. */
  public static Map<String, String> selector(WasmModule wm) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, "wr-engine");
    labels.put(INSTANCE, wm.getMetadata().getName());
    return labels;
  }

  /** Every label of the module's ConfigMap, Deployment, Service and pods. */
  public static Map<String, String> of(WasmModule wm) {
    Map<String, String> labels = selector(wm);
    labels.put(VERSION, wm.getSpec().version().replace('+', '_'));
    labels.put(COMPONENT, "module");
    labels.put(PART_OF, "wruntime");
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(MODULE, wm.moduleName());
    labels.put(NAMESPACE, wm.logicalNamespace());
    labels.put(MODULE_VERSION, wm.getSpec().version().replace('+', '_'));
    return labels;
  }
}
