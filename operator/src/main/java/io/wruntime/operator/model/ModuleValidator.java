package io.wruntime.operator.model;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.wruntime.common.names.Names;
import io.wruntime.common.names.S3Names;
import io.wruntime.common.names.SemVer;
import io.wruntime.common.net.HttpUrls;
import io.wruntime.common.oci.OciReference;
import io.wruntime.crds.v1alpha1.Capabilities;
import io.wruntime.crds.v1alpha1.ModuleEnvVar;
import io.wruntime.crds.v1alpha1.ModuleLimits;
import io.wruntime.crds.v1alpha1.ModuleSchema;
import io.wruntime.crds.v1alpha1.ModuleSource;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.crds.v1alpha1.WasmModuleSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a WasmModule for what a CRD cannot check, or what reaches the operator without the CRD's
 * checks (an API server that skipped them, a stored object from an older CRD): a pure function of
 * the resource.
 */
public final class ModuleValidator {
  static final long MIN_MEMORY_BYTES = 65_536;

  /** The engine's largest linear memory: 32767 pages, what Chicory holds in one array. */
  static final long MAX_MEMORY_BYTES = 2_147_418_112L;

  private static final int MAX_LABEL_VALUE = 63;

  /** The engine's default {@code request_timeout_secs}. */
  static final int DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;

  /** The engine's default {@code [pool] total_component_instances}, which caps a module's. */
  static final int MAX_CONCURRENT_INSTANCES = 1000;

  /** The API server's limit on all annotations of one object. */
  private static final int MAX_ANNOTATIONS_BYTES = 256 * 1024;

  private static final Pattern LABEL_NAME =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern SERVICE_NAME = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  private ModuleValidator() {}

  /** Every problem of {@code wm}; empty when the operator can build its resources. */
  public static List<SpecProblem> validate(WasmModule wm) {
    List<SpecProblem> problems = new ArrayList<>();
    WasmModuleSpec spec = wm.getSpec();
    if (spec == null) {
      problems.add(invalid("spec is missing (expected: at least spec.version and spec.source)"));
      return problems;
    }
    String name = wm.getMetadata().getName();
    if (name.length() > MAX_LABEL_VALUE || !SERVICE_NAME.matcher(name).matches()) {
      problems.add(
          invalid(
              "metadata.name \""
                  + name
                  + "\" also names the module's Service (expected: at most 63 lowercase letters,"
                  + " digits and '-', starting with a letter)"));
    }
    String moduleProblem = Names.problem(wm.moduleName());
    if (moduleProblem != null) {
      problems.add(
          invalid(
              (spec.module() == null ? "spec.module is required: metadata.name " : "spec.module ")
                  + moduleProblem));
    }
    String namespaceProblem = Names.problem(wm.logicalNamespace());
    if (namespaceProblem != null) {
      problems.add(
          spec.namespace() == null
              ? new SpecProblem(
                  SpecProblem.INVALID_NAMESPACE,
                  "spec.namespace is required: the Kubernetes namespace is not a valid wruntime"
                      + " namespace: "
                      + namespaceProblem)
              : invalid("spec.namespace " + namespaceProblem));
    }
    if (spec.version() == null) {
      problems.add(invalid("spec.version is missing (expected: a semantic version, e.g. 1.0.0)"));
    } else {
      try {
        SemVer.parse(spec.version());
        if (spec.version().length() > MAX_LABEL_VALUE) {
          problems.add(
              invalid(
                  "spec.version has "
                      + spec.version().length()
                      + " characters (expected: at most "
                      + MAX_LABEL_VALUE
                      + ", to fit a label)"));
        }
      } catch (IllegalArgumentException e) {
        problems.add(invalid("spec.version " + e.getMessage()));
      }
    }
    source(spec.source(), problems);
    schema(spec.schema(), problems);
    capabilities(spec.capabilities(), problems);
    limits(spec.limits(), problems);
    env(spec.env(), problems);
    podMetadata(spec.podLabels(), spec.podAnnotations(), problems);
    if (spec.resources() != null) {
      resources(spec.resources().engine(), "spec.resources.engine", problems);
      resources(spec.resources().proxy(), "spec.resources.proxy", problems);
    }
    if (spec.replicas() != null && spec.replicas() < 0) {
      problems.add(invalid("spec.replicas = " + spec.replicas() + " (expected: 0 or more)"));
    }
    return problems;
  }

  private static void source(ModuleSource source, List<SpecProblem> problems) {
    if (source == null) {
      problems.add(
          invalid("spec.source is missing (expected: one of image, url + sha256, configMapRef)"));
      return;
    }
    int kinds =
        (source.image() != null ? 1 : 0)
            + (source.url() != null ? 1 : 0)
            + (source.configMapRef() != null ? 1 : 0);
    if (kinds != 1) {
      problems.add(
          invalid(
              "exactly one of source.image, source.url or source.configMapRef must be set (found "
                  + kinds
                  + ")"));
      return;
    }
    if ((source.url() == null) != (source.sha256() == null)) {
      problems.add(
          invalid(
              "source.url and source.sha256 go together: a URL is verified against its digest"));
    }
    if (source.imagePullSecrets() != null && source.image() == null) {
      problems.add(invalid("source.imagePullSecrets applies to source.image only"));
    }
    if (source.image() != null) {
      try {
        OciReference.parse(source.image());
      } catch (IllegalArgumentException e) {
        problems.add(invalid("source.image = " + e.getMessage()));
      }
    }
    if (source.url() != null) {
      String problem = HttpUrls.moduleUrlProblem(source.url());
      if (problem != null) {
        problems.add(invalid("source.url = \"" + source.url() + "\" " + problem));
      }
    }
  }

  private static void schema(ModuleSchema schema, List<SpecProblem> problems) {
    if (schema != null && (schema.configMapRef() == null) == (schema.inline() == null)) {
      problems.add(invalid("exactly one of schema.configMapRef or schema.inline must be set"));
    }
  }

  private static void capabilities(Capabilities capabilities, List<SpecProblem> problems) {
    if (capabilities == null) {
      return;
    }
    for (String name : capabilities.getUnknown().keySet()) {
      problems.add(
          new SpecProblem(
              SpecProblem.UNKNOWN_CAPABILITY,
              "spec.capabilities."
                  + name
                  + " is not a capability (expected one of: "
                  + String.join(", ", Capabilities.KNOWN)
                  + ")"));
    }
    Capabilities.BlobstoreCapability blob = capabilities.getBlobstore();
    if (blob != null) {
      if (blob.buckets() == null || blob.buckets().isEmpty()) {
        problems.add(
            invalid(
                "spec.capabilities.blobstore.buckets is empty (expected: the buckets to grant)"));
      } else {
        Set<String> seen = new HashSet<>();
        for (String bucket : blob.buckets()) {
          String problem = S3Names.bucketProblem(bucket);
          if (problem != null) {
            problems.add(invalid("spec.capabilities.blobstore.buckets: " + problem));
          } else if (!seen.add(bucket)) {
            problems.add(
                invalid(
                    "spec.capabilities.blobstore.buckets names \""
                        + bucket
                        + "\" twice (expected: once)"));
          }
        }
      }
      if (blob.region() != null && S3Names.regionProblem(blob.region()) != null) {
        problems.add(
            invalid("spec.capabilities.blobstore.region " + S3Names.regionProblem(blob.region())));
      }
      httpUrl(blob.endpoint(), "spec.capabilities.blobstore.endpoint", problems);
    }
    if (capabilities.getLlm() != null) {
      httpUrl(capabilities.getLlm().baseUrl(), "spec.capabilities.llm.baseUrl", problems);
    }
  }

  /** An empty or absent value is fine; otherwise the engine's rule for service endpoints. */
  private static void httpUrl(String value, String field, List<SpecProblem> problems) {
    if (value == null || value.isEmpty()) {
      return;
    }
    String problem = HttpUrls.endpointProblem(value);
    if (problem != null) {
      problems.add(
          invalid(
              field
                  + " = \""
                  + value
                  + "\" "
                  + problem
                  + " (expected: http:// or https://, a host, an optional port and path)"));
    }
  }

  private static void limits(ModuleLimits limits, List<SpecProblem> problems) {
    if (limits != null
        && limits.maxConcurrentInstances() != null
        && limits.maxConcurrentInstances() > MAX_CONCURRENT_INSTANCES) {
      problems.add(
          invalid(
              "spec.limits.maxConcurrentInstances = "
                  + limits.maxConcurrentInstances()
                  + " (expected: 1 to "
                  + MAX_CONCURRENT_INSTANCES
                  + ", the engine's instances across all modules)"));
    }
    if (limits != null && limits.cpuTimeoutSeconds() != null) {
      int request =
          limits.requestTimeoutSeconds() != null
              ? limits.requestTimeoutSeconds()
              : DEFAULT_REQUEST_TIMEOUT_SECONDS;
      if (limits.cpuTimeoutSeconds() > request) {
        problems.add(
            invalid(
                "spec.limits.cpuTimeoutSeconds = "
                    + limits.cpuTimeoutSeconds()
                    + " (expected: at most requestTimeoutSeconds = "
                    + request
                    + ")"));
      }
    }
    if (limits == null || limits.memory() == null) {
      return;
    }
    Quantity memory = limits.memory();
    BigDecimal bytes;
    try {
      bytes = Quantity.getAmountInBytes(memory);
    } catch (IllegalArgumentException | ArithmeticException e) {
      problems.add(
          invalid("spec.limits.memory = " + memory + " (expected: a quantity such as 16Mi)"));
      return;
    }
    if (bytes.compareTo(BigDecimal.valueOf(MIN_MEMORY_BYTES)) < 0
        || bytes.compareTo(BigDecimal.valueOf(MAX_MEMORY_BYTES)) > 0
        || bytes.stripTrailingZeros().scale() > 0) {
      problems.add(
          invalid(
              "spec.limits.memory = "
                  + memory
                  + " (expected: whole bytes from 64Ki to 2097088Ki, 2 GiB less one 64 KiB page, the engine's"
                  + " range)"));
    }
  }

  private static void env(List<ModuleEnvVar> env, List<SpecProblem> problems) {
    if (env == null) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (ModuleEnvVar variable : env) {
      if (!seen.add(variable.name())) {
        problems.add(invalid("spec.env names " + variable.name() + " twice (expected: once)"));
      }
      if ((variable.value() == null) == (variable.secretKeyRef() == null)) {
        problems.add(
            invalid(
                "spec.env "
                    + variable.name()
                    + ": exactly one of value or secretKeyRef must be set"));
      }
    }
  }

  private static void podMetadata(
      Map<String, String> labels, Map<String, String> annotations, List<SpecProblem> problems) {
    if (labels != null) {
      for (Map.Entry<String, String> label : labels.entrySet()) {
        if (!qualifiedName(label.getKey())) {
          problems.add(
              invalid(
                  "spec.podLabels key \""
                      + label.getKey()
                      + "\" is not a valid label key (expected: an optional DNS prefix and '/', then"
                      + " at most 63 letters, digits, '-', '_' and '.', starting and ending with a"
                      + " letter or digit)"));
        }
        String value = label.getValue() == null ? "" : label.getValue();
        if (value.length() > MAX_LABEL_VALUE
            || (!value.isEmpty() && !LABEL_NAME.matcher(value).matches())) {
          problems.add(
              invalid(
                  "spec.podLabels "
                      + label.getKey()
                      + " = \""
                      + value
                      + "\" is not a valid label value (expected: at most 63 letters, digits, '-',"
                      + " '_' and '.', starting and ending with a letter or digit)"));
        }
      }
    }
    if (annotations != null) {
      long bytes = 0;
      for (Map.Entry<String, String> annotation : annotations.entrySet()) {
        if (!qualifiedName(annotation.getKey())) {
          problems.add(
              invalid(
                  "spec.podAnnotations key \""
                      + annotation.getKey()
                      + "\" is not a valid annotation key (expected: an optional DNS prefix and"
                      + " '/', then at most 63 letters, digits, '-', '_' and '.')"));
        }
        bytes +=
            annotation.getKey().length()
                + (annotation.getValue() == null ? 0 : annotation.getValue().length());
      }
      if (bytes > MAX_ANNOTATIONS_BYTES - 1024) {
        problems.add(
            invalid(
                "spec.podAnnotations take "
                    + bytes
                    + " bytes (expected: under "
                    + (MAX_ANNOTATIONS_BYTES - 1024)
                    + ", the API server's limit less the operator's own)"));
      }
    }
  }

  private static boolean qualifiedName(String key) {
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        return false;
      }
    }
    return !name.isEmpty()
        && name.length() <= MAX_LABEL_VALUE
        && LABEL_NAME.matcher(name).matches();
  }

  /** Requests above limits make the API server refuse the whole Deployment. */
  private static void resources(
      ResourceRequirements resources, String field, List<SpecProblem> problems) {
    String problem = ResourceChecks.requestsAboveLimits(resources);
    if (problem != null) {
      problems.add(invalid(field + ": " + problem));
    }
  }

  private static SpecProblem invalid(String message) {
    return new SpecProblem(SpecProblem.INVALID_SPEC, message);
  }
}
