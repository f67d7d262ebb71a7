package io.wruntime.common.oci;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A wasm module pulled from a registry into a {@link BlobCache}, every blob verified.
 *
 * @param reference the reference pinned to the manifest that was read
 * @param wasm the wasm layer's descriptor
 * @param wasmFile the verified module binary in the cache
 * @param schema the schema layer's descriptor, or null when the artifact has none
 * @param schemaFile the verified schema in the cache, or null
 */
public record PulledModule(
    OciReference reference, Descriptor wasm, Path wasmFile, Descriptor schema, Path schemaFile) {
  public PulledModule {
    requireNonNull(reference, "reference");
    requireNonNull(wasm, "wasm");
    requireNonNull(wasmFile, "wasmFile");
    if (!reference.isPinned()) {
      throw new IllegalArgumentException("reference: " + reference + " (expected: pinned)");
    }
    if ((schema == null) != (schemaFile == null)) {
      throw new IllegalArgumentException("schema and schemaFile go together");
    }
  }

  /** The digest of the manifest the module came from. */
  public Digest manifestDigest() {
    return reference.digest();
  }
}
