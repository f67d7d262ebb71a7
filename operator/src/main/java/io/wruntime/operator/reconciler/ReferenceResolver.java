package io.wruntime.operator.reconciler;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.InvalidProtocolBufferException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wruntime.crds.v1alpha1.Capabilities;
import io.wruntime.crds.v1alpha1.KeyReference;
import io.wruntime.crds.v1alpha1.ModuleEnvVar;
import io.wruntime.crds.v1alpha1.ModuleSchema;
import io.wruntime.crds.v1alpha1.ModuleSource;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.operator.model.DeploymentModel;
import io.wruntime.operator.model.EngineToml;
import io.wruntime.operator.model.SpecProblem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads what a valid WasmModule refers to — the ConfigMap with its binary, its schema, the Secrets
 * of its env, capabilities and image pull secrets — and reports each one that is missing, in the
 * words a user needs to fix it. Secret values are read only to check that keys exist; they are
 * never kept or logged.
 */
final class ReferenceResolver {
  private static final byte[] WASM_MAGIC = {0x00, 0x61, 0x73, 0x6d};

  private final KubernetesClient client;

  ReferenceResolver(KubernetesClient client) {
    this.client = requireNonNull(client, "client");
  }

  /**
   * What the references resolved to, or the problems.
   *
   * @param schema the FileDescriptorSet, or null when a problem stopped its resolution
   * @param wasmDigest the SHA-256 of the module binary, or null likewise
   */
  record Resolution(byte[] schema, String wasmDigest, List<SpecProblem> problems) {}

  /**
   * Resolves the references of {@code wm}.
   *
   * @param peers the other WasmModules the operator knows, for borrowing a schema
   */
  Resolution resolve(WasmModule wm, Stream<WasmModule> peers) {
    List<SpecProblem> problems = new ArrayList<>();
    String namespace = wm.getMetadata().getNamespace();
    ModuleSource source = wm.getSpec().source();
    String digest;
    if (source.configMapRef() != null) {
      digest = wasmDigest(namespace, source.configMapRef(), problems);
    } else if (source.image() != null) {
      digest = "image " + source.image();
      for (LocalObjectReference secret : EngineToml.pullSecrets(source)) {
        secretKeys(
            namespace,
            secret.getName(),
            List.of(DeploymentModel.DOCKER_CONFIG_KEY),
            "source.imagePullSecrets",
            problems);
      }
    } else {
      digest = "url " + source.url() + " sha256:" + source.sha256();
    }
    byte[] schema = schema(wm, peers, problems);
    for (ModuleEnvVar variable :
        wm.getSpec().env() == null ? List.<ModuleEnvVar>of() : wm.getSpec().env()) {
      if (variable.secretKeyRef() != null) {
        secretKeys(
            namespace,
            variable.secretKeyRef().name(),
            List.of(variable.secretKeyRef().key()),
            "spec.env " + variable.name(),
            problems);
      }
    }
    Capabilities capabilities = wm.getSpec().capabilities();
    if (capabilities != null) {
      if (capabilities.getDb() != null) {
        KeyReference ref = capabilities.getDb().secretRef();
        secretKeys(
            namespace, ref.name(), List.of(ref.key()), "spec.capabilities.db.secretRef", problems);
      }
      if (capabilities.getBlobstore() != null) {
        secretKeys(
            namespace,
            capabilities.getBlobstore().credentialsSecret(),
            List.of("accessKeyId", "secretAccessKey"),
            "spec.capabilities.blobstore.credentialsSecret",
            problems);
      }
      if (capabilities.getLlm() != null) {
        KeyReference ref = capabilities.getLlm().apiKeySecretRef();
        secretKeys(
            namespace,
            ref.name(),
            List.of(ref.key()),
            "spec.capabilities.llm.apiKeySecretRef",
            problems);
      }
    }
    return problems.isEmpty()
        ? new Resolution(schema, digest, List.of())
        : new Resolution(null, null, List.copyOf(problems));
  }

  private String wasmDigest(String namespace, KeyReference ref, List<SpecProblem> problems) {
    byte[] wasm = configMapBytes(namespace, ref, "source.configMapRef", problems);
    if (wasm == null) {
      return null;
    }
    if (wasm.length < WASM_MAGIC.length || !java.util.Arrays.equals(wasm, 0, 4, WASM_MAGIC, 0, 4)) {
      problems.add(
          new SpecProblem(
              SpecProblem.INVALID_MODULE_BINARY,
              "ConfigMap "
                  + ref.name()
                  + " key "
                  + ref.key()
                  + " (source.configMapRef) is not a WebAssembly binary (expected: binaryData"
                  + " starting with \\0asm, e.g. kubectl create configmap "
                  + ref.name()
                  + " --from-file="
                  + ref.key()
                  + "=module.wasm)"));
      return null;
    }
    return sha256(wasm);
  }

  private byte[] schema(WasmModule wm, Stream<WasmModule> peers, List<SpecProblem> problems) {
    ModuleSchema schema = wm.getSpec().schema();
    String where = "spec.schema";
    WasmModule owner = wm;
    if (schema == null) {
      Optional<WasmModule> peer =
          peers
              .filter(p -> p.getSpec() != null && p.getSpec().schema() != null)
              .filter(p -> !p.getMetadata().getUid().equals(wm.getMetadata().getUid()))
              .filter(p -> p.logicalNamespace().equals(wm.logicalNamespace()))
              .filter(p -> p.moduleName().equals(wm.moduleName()))
              .filter(p -> p.getSpec().version().equals(wm.getSpec().version()))
              .findFirst();
      if (peer.isEmpty()) {
        problems.add(
            new SpecProblem(
                SpecProblem.SCHEMA_REQUIRED,
                "spec.schema is required: no other WasmModule declares "
                    + wm.logicalNamespace()
                    + "."
                    + wm.moduleName()
                    + "@"
                    + wm.getSpec().version()
                    + " with a schema (expected: schema.configMapRef or schema.inline with a"
                    + " FileDescriptorSet)"));
        return null;
      }
      owner = peer.get();
      schema = owner.getSpec().schema();
      where =
          "spec.schema of WasmModule "
              + owner.getMetadata().getNamespace()
              + "/"
              + owner.getMetadata().getName();
    }
    byte[] bytes =
        schema.inline() != null
            ? schema.inline()
            : configMapBytes(
                owner.getMetadata().getNamespace(),
                schema.configMapRef(),
                where + ".configMapRef",
                problems);
    if (bytes == null) {
      return null;
    }
    try {
      FileDescriptorSet.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      problems.add(
          new SpecProblem(
              SpecProblem.INVALID_SCHEMA,
              where
                  + " is not a FileDescriptorSet ("
                  + e.getMessage()
                  + "; expected: what protoc --include_imports --descriptor_set_out writes)"));
      return null;
    }
    return bytes;
  }

  private byte[] configMapBytes(
      String namespace, KeyReference ref, String field, List<SpecProblem> problems) {
    ConfigMap map = client.configMaps().inNamespace(namespace).withName(ref.name()).get();
    if (map == null) {
      problems.add(
          new SpecProblem(
              SpecProblem.CONFIG_MAP_NOT_FOUND,
              "ConfigMap "
                  + ref.name()
                  + " ("
                  + field
                  + ") does not exist in namespace "
                  + namespace
                  + " (expected: a ConfigMap with key "
                  + ref.key()
                  + ")"));
      return null;
    }
    Map<String, String> binary = map.getBinaryData() == null ? Map.of() : map.getBinaryData();
    Map<String, String> text = map.getData() == null ? Map.of() : map.getData();
    if (binary.containsKey(ref.key())) {
      return Base64.getDecoder().decode(binary.get(ref.key()));
    }
    if (text.containsKey(ref.key())) {
      return text.get(ref.key()).getBytes(StandardCharsets.UTF_8);
    }
    TreeSet<String> keys = new TreeSet<>(binary.keySet());
    keys.addAll(text.keySet());
    problems.add(
        new SpecProblem(
            SpecProblem.CONFIG_MAP_KEY_NOT_FOUND,
            "ConfigMap "
                + ref.name()
                + " ("
                + field
                + ") has no key "
                + ref.key()
                + " (it has: "
                + (keys.isEmpty() ? "no keys" : String.join(", ", keys))
                + ")"));
    return null;
  }

  private void secretKeys(
      String namespace, String name, List<String> keys, String field, List<SpecProblem> problems) {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      problems.add(
          new SpecProblem(
              SpecProblem.SECRET_NOT_FOUND,
              "Secret "
                  + name
                  + " ("
                  + field
                  + ") does not exist in namespace "
                  + namespace
                  + " (expected: a Secret with key "
                  + String.join(" and ", keys)
                  + ")"));
      return;
    }
    for (String key : keys) {
      boolean present =
          (secret.getData() != null && secret.getData().containsKey(key))
              || (secret.getStringData() != null && secret.getStringData().containsKey(key));
      if (!present) {
        problems.add(
            new SpecProblem(
                SpecProblem.SECRET_KEY_NOT_FOUND,
                "Secret "
                    + name
                    + " ("
                    + field
                    + ") has no key "
                    + key
                    + " (it has: "
                    + (secret.getData() == null || secret.getData().isEmpty()
                        ? "no keys"
                        : String.join(", ", new TreeSet<>(secret.getData().keySet())))
                    + ")"));
      }
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
