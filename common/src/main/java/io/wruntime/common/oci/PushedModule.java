package io.wruntime.common.oci;

import static java.util.Objects.requireNonNull;

/**
 * What a push wrote.
 *
 * @param reference the reference pushed to, pinned to the manifest's digest
 * @param wasm the wasm layer
 * @param schema the schema layer, or null when none was pushed
 */
public record PushedModule(OciReference reference, Descriptor wasm, Descriptor schema) {
  public PushedModule {
    requireNonNull(reference, "reference");
    requireNonNull(wasm, "wasm");
    if (!reference.isPinned()) {
      throw new IllegalArgumentException("reference: " + reference + " (expected: pinned)");
    }
  }

  /** The digest of the manifest that was written. */
  public Digest manifestDigest() {
    return reference.digest();
  }
}
