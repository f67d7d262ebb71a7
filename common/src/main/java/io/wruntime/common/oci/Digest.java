package io.wruntime.common.oci;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A SHA-256 content digest as OCI writes it, {@code sha256:<64 lowercase hex digits>}. Other
 * algorithms are refused: every registry and every tool in the wasm ecosystem uses SHA-256.
 *
 * @param hex the 64 lowercase hex digits
 */
public record Digest(String hex) {
  /** The only algorithm accepted. */
  public static final String ALGORITHM = "sha256";

  private static final Pattern HEX = Pattern.compile("[a-f0-9]{64}");

  public Digest {
    requireNonNull(hex, "hex");
    if (!HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "digest hex: \"" + hex + "\" (expected: 64 lowercase hex digits)");
    }
  }

  /**
   * Parses {@code sha256:<hex>}.
   *
   * @throws IllegalArgumentException naming the text and what was expected
   */
  public static Digest parse(String text) {
    requireNonNull(text, "text");
    int colon = text.indexOf(':');
    if (colon < 0 || !text.substring(0, colon).equals(ALGORITHM)) {
      throw new IllegalArgumentException(
          "digest: \"" + text + "\" (expected: sha256:<64 lowercase hex digits>)");
    }
    String hex = text.substring(colon + 1);
    if (!HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "digest: \"" + text + "\" (expected: sha256:<64 lowercase hex digits>)");
    }
    return new Digest(hex);
  }

  /** The digest of {@code bytes}. */
  public static Digest of(byte[] bytes) {
    requireNonNull(bytes, "bytes");
    MessageDigest sha = sha256();
    return new Digest(HexFormat.of().formatHex(sha.digest(bytes)));
  }

  /** The digest of the file at {@code path}, read in full. */
  public static Digest of(Path path) throws IOException {
    requireNonNull(path, "path");
    MessageDigest sha = sha256();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(path)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        sha.update(buffer, 0, n);
      }
    }
    return new Digest(HexFormat.of().formatHex(sha.digest()));
  }

  /** A fresh SHA-256 message digest. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** {@code sha256:<hex>}. */
  @Override
  public String toString() {
    return ALGORITHM + ":" + hex;
  }
}
