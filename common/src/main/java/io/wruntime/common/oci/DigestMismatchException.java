package io.wruntime.common.oci;

import static java.util.Objects.requireNonNull;

/**
 * Content did not hash to the digest it was asked for: the registry, a URL or the cache served
 * other bytes than the ones named. The message names what was fetched, the expected and the actual
 * digest.
 */
public final class DigestMismatchException extends OciException {
  private static final long serialVersionUID = 1L;

  private final Digest expected;
  private final Digest actual;

  /**
   * @param what what was fetched, e.g. {@code blob sha256:... of registry.example.com/team/echo}
   */
  public DigestMismatchException(String what, Digest expected, Digest actual) {
    super(
        requireNonNull(what, "what")
            + " has digest "
            + requireNonNull(actual, "actual")
            + " (expected: "
            + requireNonNull(expected, "expected")
            + ")");
    this.expected = expected;
    this.actual = actual;
  }

  /** The digest the content was asked for by. */
  public Digest expected() {
    return expected;
  }

  /** The digest of the content that arrived. */
  public Digest actual() {
    return actual;
  }
}
