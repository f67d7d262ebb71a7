package io.wruntime.operator.model;

import static io.wruntime.operator.model.PodLayout.CONFIG_DIR;
import static io.wruntime.operator.model.PodLayout.ENGINE_ADMIN_PORT;
import static io.wruntime.operator.model.PodLayout.ENGINE_PORT;
import static io.wruntime.operator.model.PodLayout.MODULE_DIR;
import static io.wruntime.operator.model.PodLayout.MODULE_FILE;
import static io.wruntime.operator.model.PodLayout.PEER_PORT;
import static io.wruntime.operator.model.PodLayout.PROXY_ADMIN_PORT;
import static io.wruntime.operator.model.PodLayout.PROXY_CONTROL_PORT;
import static io.wruntime.operator.model.PodLayout.PROXY_PORT;
import static io.wruntime.operator.model.PodLayout.REGISTRY_AUTH_DIR;
import static io.wruntime.operator.model.PodLayout.SCHEMA_FILE;
import static io.wruntime.operator.model.PodLayout.SECRETS_DIR;
import static io.wruntime.operator.model.PodLayout.SECRET_ENV_PREFIX;
import static io.wruntime.operator.model.TomlText.literal;
import static io.wruntime.operator.model.TomlText.string;
import static io.wruntime.operator.model.TomlText.strings;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.wruntime.crds.v1alpha1.Capabilities;
import io.wruntime.crds.v1alpha1.ModuleEnvVar;
import io.wruntime.crds.v1alpha1.ModuleLimits;
import io.wruntime.crds.v1alpha1.ModuleSource;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.crds.v1alpha1.WasmModuleSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders the engine's and the proxy's TOML configuration of a module's pods. Values that vary per
 * pod come from the environment ({@code ${POD_IP}}), which the Deployment sets; secrets never
 * appear here, only the files or variables that carry them.
 */
public final class EngineToml {
  private EngineToml() {}

  /** The engine.toml: one module, registered through the pod's proxy. */
  public static String engine(ModulePlan plan) {
    WasmModule wm = plan.module();
    WasmModuleSpec spec = wm.getSpec();
    StringBuilder out = new StringBuilder(1024);
    out.append("# Rendered by the wruntime operator for WasmModule ")
        .append(plan.kubernetesNamespace())
        .append('/')
        .append(plan.name())
        .append("; edits are overwritten.\n");
    line(out, "listen_address", string("127.0.0.1:" + ENGINE_PORT));
    line(out, "admin_address", string("0.0.0.0:" + ENGINE_ADMIN_PORT));
    line(out, "manager_address", string(plan.managerAddress().toString()));
    out.append("\n[node]\n");
    line(out, "proxy_address", string("http://127.0.0.1:" + PROXY_PORT));
    line(out, "control_address", string("127.0.0.1:" + PROXY_CONTROL_PORT));
    out.append("\n[[module]]\n");
    line(out, "name", string(wm.moduleName()));
    line(out, "namespace", string(wm.logicalNamespace()));
    line(out, "version", string(spec.version()));
    source(out, spec.source());
    line(out, "schema_path", string(CONFIG_DIR + "/" + SCHEMA_FILE));
    ModuleLimits limits = spec.limits();
    if (limits != null) {
      if (limits.requestTimeoutSeconds() != null) {
        line(out, "request_timeout_secs", limits.requestTimeoutSeconds().toString());
      }
      if (limits.cpuTimeoutSeconds() != null) {
        line(out, "cpu_timeout_secs", limits.cpuTimeoutSeconds().toString());
      }
      if (limits.queueDepth() != null) {
        line(out, "channel_capacity", limits.queueDepth().toString());
      }
      if (limits.maxConcurrentInstances() != null) {
        line(out, "max_concurrent_instances", limits.maxConcurrentInstances().toString());
      }
      if (limits.memory() != null) {
        line(out, "max_memory_size", Long.toString(memoryBytes(limits.memory())));
      }
    }
    List<String> env = new ArrayList<>();
    for (ModuleEnvVar variable : spec.env() == null ? List.<ModuleEnvVar>of() : spec.env()) {
      String value =
          variable.secretKeyRef() != null
              ? string("${" + SECRET_ENV_PREFIX + variable.name() + "}")
              : literal(variable.value());
      env.add(variable.name() + " = " + value);
    }
    if (!env.isEmpty()) {
      line(out, "env", "{ " + String.join(", ", env) + " }");
    }
    capabilities(out, spec.capabilities());
    return out.toString();
  }

  private static void source(StringBuilder out, ModuleSource source) {
    if (source.image() != null) {
      line(out, "wasm_image", literal(source.image()));
      List<LocalObjectReference> secrets = pullSecrets(source);
      if (!secrets.isEmpty()) {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
          files.add(registryAuthFile(i));
        }
        line(out, "registry_auth_file", strings(files));
      }
    } else if (source.url() != null) {
      line(out, "wasm_url", literal(source.url()));
      line(out, "wasm_sha256", literal(source.sha256()));
    } else {
      line(out, "wasm_path", string(MODULE_DIR + "/" + MODULE_FILE));
    }
  }

  /** The image's pull secrets, in order, without empty names. */
  public static List<LocalObjectReference> pullSecrets(ModuleSource source) {
    if (source.image() == null || source.imagePullSecrets() == null) {
      return List.of();
    }
    return source.imagePullSecrets().stream()
        .filter(s -> s != null && s.getName() != null && !s.getName().isEmpty())
        .toList();
  }

  /** Where the {@code index}-th pull secret's {@code .dockerconfigjson} is in the engine. */
  public static String registryAuthFile(int index) {
    return REGISTRY_AUTH_DIR + "/" + index + ".json";
  }

  /** The proxy.toml: loopback listeners for the engine, the peer port for other pods. */
  public static String proxy(ModulePlan plan) {
    StringBuilder out = new StringBuilder(512);
    out.append("# Rendered by the wruntime operator for WasmModule ")
        .append(plan.kubernetesNamespace())
        .append('/')
        .append(plan.name())
        .append("; edits are overwritten.\n");
    line(out, "listen_address", string("127.0.0.1:" + PROXY_PORT));
    line(out, "control_address", string("127.0.0.1:" + PROXY_CONTROL_PORT));
    line(out, "manager_address", string(plan.managerAddress().toString()));
    line(out, "admin_address", string("0.0.0.0:" + PROXY_ADMIN_PORT));
    out.append("\n[node]\n");
    line(out, "name", string("${POD_NAME}"));
    line(out, "proxy_address", string("${POD_IP}:" + PEER_PORT));
    line(out, "peer_port", Integer.toString(PEER_PORT));
    line(out, "peer_listen_address", string("0.0.0.0:" + PEER_PORT));
    if (plan.defaults().nodeTlsSecret() != null) {
      out.append("\n[node.tls]\n");
      line(out, "cert_path", string(PodLayout.NODE_TLS_DIR + "/tls.crt"));
      line(out, "key_path", string(PodLayout.NODE_TLS_DIR + "/tls.key"));
      line(out, "ca_cert_path", string(PodLayout.NODE_TLS_DIR + "/ca.crt"));
    }
    return out.toString();
  }

  /** A memory quantity in bytes; the CRD and the validator keep it within the engine's range. */
  public static long memoryBytes(Quantity memory) {
    return Quantity.getAmountInBytes(memory).longValueExact();
  }

  private static void capabilities(StringBuilder out, Capabilities capabilities) {
    if (capabilities == null) {
      return;
    }
    if (capabilities.getDb() != null) {
      out.append("\n[module.capabilities.db]\n");
      line(out, "url_file", string(SECRETS_DIR + "/db/url"));
    }
    Capabilities.BlobstoreCapability blob = capabilities.getBlobstore();
    if (blob != null) {
      out.append("\n[module.capabilities.blobstore]\n");
      if (blob.endpoint() != null && !blob.endpoint().isEmpty()) {
        line(out, "endpoint", literal(blob.endpoint()));
      }
      if (blob.region() != null) {
        line(out, "region", literal(blob.region()));
      }
      line(out, "buckets", strings(blob.buckets()));
      line(out, "credentials_dir", string(SECRETS_DIR + "/blobstore"));
    }
    Capabilities.LlmCapability llm = capabilities.getLlm();
    if (llm != null) {
      out.append("\n[module.capabilities.llm]\n");
      line(out, "provider", string(llm.provider() == null ? "anthropic" : llm.provider()));
      if (llm.baseUrl() != null && !llm.baseUrl().isEmpty()) {
        line(out, "base_url", literal(llm.baseUrl()));
      }
      line(out, "api_key_file", string(SECRETS_DIR + "/llm/api-key"));
      if (llm.maxTokens() != null) {
        line(out, "max_tokens", llm.maxTokens().toString());
      }
    }
    if (capabilities.getFs() != null) {
      out.append("\n[module.capabilities.fs]\n");
      line(out, "mode", string("tempdir"));
    }
    Capabilities.TracingCapability tracing = capabilities.getTracing();
    if (tracing != null) {
      out.append("\n[module.capabilities.tracing]\n");
      if (tracing.maxSpans() != null) {
        line(out, "max_spans", tracing.maxSpans().toString());
      }
    }
  }

  private static void line(StringBuilder out, String key, String value) {
    out.append(key).append(" = ").append(value).append('\n');
  }
}
