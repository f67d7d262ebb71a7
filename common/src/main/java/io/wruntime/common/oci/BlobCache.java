package io.wruntime.common.oci;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A content-addressed store of blobs on disk, {@code <dir>/sha256/<hex>}. A blob is written to a
 * temporary file in the same directory while it is hashed, and moved to its name only when its
 * digest is the expected one, so a reader never sees a partial or foreign file. Every read hashes
 * the file again: a blob that changed on disk is deleted and reported missing, so it is fetched
 * anew. Several processes may share the directory.
 */
public final class BlobCache {
  private static final Logger LOG = LoggerFactory.getLogger(BlobCache.class);

  private final Path blobs;

  /** A cache in {@code dir}, created when missing. */
  public BlobCache(Path dir) {
    this.blobs = requireNonNull(dir, "dir").resolve(Digest.ALGORITHM);
  }

  /** The directory the blobs are in. */
  public Path directory() {
    return blobs;
  }

  /**
   * The path of the blob with {@code digest} when it is cached and still hashes to it.
   *
   * @throws IOException when the cache cannot be read
   */
  public Optional<Path> find(Digest digest) throws IOException {
    requireNonNull(digest, "digest");
    Path path = blobs.resolve(digest.hex());
    if (!Files.isRegularFile(path)) {
      return Optional.empty();
    }
    Digest actual = Digest.of(path);
    if (!actual.equals(digest)) {
      LOG.warn(
          "cached blob {} has digest {} (expected: {}); deleting it to fetch it again",
          path,
          actual,
          digest);
      Files.deleteIfExists(path);
      return Optional.empty();
    }
    return Optional.of(path);
  }

  /** The bytes of the blob with {@code digest} when it is cached and still hashes to it. */
  public Optional<byte[]> read(Digest digest) throws IOException {
    Optional<Path> path = find(digest);
    if (path.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = Files.readAllBytes(path.get());
    if (!Digest.of(bytes).equals(digest)) {
      return Optional.empty();
    }
    return Optional.of(bytes);
  }

  /** Stores {@code bytes} under their own digest and returns the path. */
  public Path put(byte[] bytes) throws IOException {
    requireNonNull(bytes, "bytes");
    Digest digest = Digest.of(bytes);
    Files.createDirectories(blobs);
    Path temp = Files.createTempFile(blobs, ".partial-", ".tmp");
    try {
      Files.write(temp, bytes);
      return publish(temp, digest);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Copies {@code in} into the cache, hashing it on the way, and publishes it only when it hashes
   * to {@code expected}.
   *
   * @param what how a mismatch names the content, e.g. {@code blob sha256:... of host/repo}
   * @param maxBytes the most bytes to accept
   * @throws DigestMismatchException when the content hashes to another digest
   * @throws OciException when the content is longer than {@code maxBytes}
   */
  public Path put(InputStream in, Digest expected, String what, long maxBytes) throws IOException {
    requireNonNull(in, "in");
    requireNonNull(expected, "expected");
    Files.createDirectories(blobs);
    Path temp = Files.createTempFile(blobs, ".partial-", ".tmp");
    try {
      MessageDigest sha = Digest.sha256();
      long total = 0;
      byte[] buffer = new byte[64 * 1024];
      try (OutputStream out = Files.newOutputStream(temp)) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          total += n;
          if (total > maxBytes) {
            throw new OciException(
                what + " is longer than " + maxBytes + " bytes (expected: at most that)");
          }
          sha.update(buffer, 0, n);
          out.write(buffer, 0, n);
        }
      }
      Digest actual = new Digest(HexFormat.of().formatHex(sha.digest()));
      if (!actual.equals(expected)) {
        throw new DigestMismatchException(what, expected, actual);
      }
      return publish(temp, expected);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private Path publish(Path temp, Digest digest) throws IOException {
    Path target = blobs.resolve(digest.hex());
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }
}
