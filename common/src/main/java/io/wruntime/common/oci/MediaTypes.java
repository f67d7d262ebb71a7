package io.wruntime.common.oci;

import java.util.Set;

/**
 * The media types of OCI manifests and of the wasm artifact layers this client reads and writes.
 */
public final class MediaTypes {
  /** An OCI image manifest. */
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  /** An OCI image index (a list of manifests). */
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

  /** A Docker schema 2 manifest, which some registries answer with for OCI content. */
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";

  /** A Docker manifest list. */
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";

  /** The wasm layer of the CNCF TAG Runtime wasm artifact layout; what {@code push} writes. */
  public static final String WASM_LAYER = "application/wasm";

  /** The wasm layer that wasm-to-oci and older tools write. */
  public static final String WASM_CONTENT_LAYER = "application/vnd.wasm.content.layer.v1+wasm";

  /** The config of the CNCF wasm artifact layout. */
  public static final String WASM_CONFIG = "application/vnd.wasm.config.v0+json";

  /**
   * wruntime's layer for the module's compiled protobuf schema (a {@code FileDescriptorSet}, as
   * {@code protoc --include_imports --descriptor_set_out} writes it), beside the wasm layer.
   */
  public static final String SCHEMA_LAYER = "application/vnd.wruntime.schema.v1+binpb";

  /** Layers that hold the module binary, in order of preference. */
  public static final Set<String> WASM_LAYERS = Set.of(WASM_LAYER, WASM_CONTENT_LAYER);

  /** Manifests that list layers. */
  public static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);

  /** Manifests that list manifests. */
  public static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);

  private MediaTypes() {}
}
