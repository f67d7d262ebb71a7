package io.wruntime.common.oci;

import static java.util.Objects.requireNonNull;

/**
 * A content descriptor of a manifest: what a blob is, its digest and its size.
 *
 * @param mediaType what the blob holds
 * @param digest its digest
 * @param size its length in bytes
 */
public record Descriptor(String mediaType, Digest digest, long size) {
  public Descriptor {
    requireNonNull(mediaType, "mediaType");
    requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("size: " + size + " (expected: 0 or more)");
    }
  }

  /** The descriptor of {@code bytes} as a blob of {@code mediaType}. */
  public static Descriptor of(String mediaType, byte[] bytes) {
    return new Descriptor(mediaType, Digest.of(bytes), bytes.length);
  }
}
