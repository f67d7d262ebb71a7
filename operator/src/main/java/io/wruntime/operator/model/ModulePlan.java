package io.wruntime.operator.model;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.wruntime.common.net.HostPort;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.operator.config.PodDefaults;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Everything the desired ConfigMap, Deployment and Service of one WasmModule are built from: the
 * validated resource, what its references resolved to, and the operator's pod defaults. The
 * builders are pure functions of a plan.
 *
 * @param module the WasmModule, validated
 * @param schema the FileDescriptorSet the engine registers (inline, or read from its ConfigMap, or
 *     borrowed from another WasmModule of the same namespace, module and version)
 * @param wasmDigest what identifies the module binary now, so that a new binary rolls the pods: the
 *     SHA-256 of a ConfigMap binary, or the image reference or URL and digest (a tag that moves
 *     does not roll the pods; a pinned reference does when it changes)
 * @param defaults images, pull settings and default resources of the pods
 * @param managerAddress the manager every proxy connects to
 */
public record ModulePlan(
    WasmModule module,
    byte[] schema,
    String wasmDigest,
    PodDefaults defaults,
    HostPort managerAddress) {
  /** A ConfigMap's 1 MiB less room for its metadata. */
  static final long MAX_CONFIG_MAP_BYTES = 1_000_000;

  public ModulePlan {
    requireNonNull(module, "module");
    requireNonNull(schema, "schema");
    requireNonNull(wasmDigest, "wasmDigest");
    requireNonNull(defaults, "defaults");
    requireNonNull(managerAddress, "managerAddress");
  }

  /** The name of the Deployment and Service: the WasmModule's. */
  public String name() {
    return module.getMetadata().getName();
  }

  /** The name of the ConfigMap with the engine and proxy configuration. */
  public String configMapName() {
    return name() + "-engine";
  }

  public String kubernetesNamespace() {
    return module.getMetadata().getNamespace();
  }

  /**
   * The owner reference of everything made for the module: Kubernetes deletes it with the module,
   * and {@code kubectl describe} shows the module as its controller.
   */
  public OwnerReference ownerReference() {
    return new OwnerReferenceBuilder()
        .withApiVersion(module.getApiVersion())
        .withKind(module.getKind())
        .withName(module.getMetadata().getName())
        .withUid(module.getMetadata().getUid())
        .withController(true)
        .build();
  }

  /**
   * A problem when the engine's ConfigMap would exceed what the API server stores in one object (1
   * MiB): a very long env list or a very large schema.
   */
  public java.util.Optional<SpecProblem> sizeProblem() {
    long bytes =
        EngineToml.engine(this).getBytes(StandardCharsets.UTF_8).length
            + EngineToml.proxy(this).getBytes(StandardCharsets.UTF_8).length
            + (schema.length + 2L) / 3 * 4;
    if (bytes <= MAX_CONFIG_MAP_BYTES) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        new SpecProblem(
            SpecProblem.INVALID_SPEC,
            "the engine configuration and schema take "
                + bytes
                + " bytes (expected: at most "
                + MAX_CONFIG_MAP_BYTES
                + ", what one ConfigMap holds; shorten spec.env or the schema)"));
  }

  /** {@code namespace.module@version}, as the mesh names it. */
  public String routedName() {
    return module.logicalNamespace() + "." + module.moduleName() + "@" + module.getSpec().version();
  }

  /**
   * The hash of everything the pods read at start (engine and proxy configs, schema, binary): the
   * pod template carries it, so a change rolls the pods.
   */
  public String configHash() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(EngineToml.engine(this).getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(EngineToml.proxy(this).getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(schema);
      sha.update((byte) 0);
      sha.update(wasmDigest.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
