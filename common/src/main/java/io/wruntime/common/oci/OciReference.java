package io.wruntime.common.oci;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A reference to an artifact in an OCI registry, {@code host[:port]/repository[:tag][@sha256:hex]}.
 * The registry host is always explicit (no implied Docker Hub): the first path component must
 * contain a dot or a port, or be {@code localhost}.
 *
 * @param registry the registry host with its port, if any ({@code registry.example.com:5000})
 * @param repository the repository path ({@code team/echo})
 * @param tag the tag, or null
 * @param digest the manifest digest the reference is pinned to, or null
 */
public record OciReference(String registry, String repository, String tag, Digest digest) {
  private static final Pattern REGISTRY =
      Pattern.compile(
          "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9-]+)*|\\[[0-9A-Fa-f:.]+])(?::[0-9]{1,5})?");
  private static final Pattern REPOSITORY =
      Pattern.compile(
          "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  private static final String EXPECTED =
      "expected: host[:port]/repository[:tag][@sha256:<64 hex digits>], e.g."
          + " registry.example.com/team/echo:1.0.0";

  public OciReference {
    requireNonNull(registry, "registry");
    requireNonNull(repository, "repository");
    if (!REGISTRY.matcher(registry).matches()) {
      throw new IllegalArgumentException("registry: \"" + registry + "\" (" + EXPECTED + ")");
    }
    if (!REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException(
          "repository: \""
              + repository
              + "\" (expected: lowercase path components of letters, digits and '.', '_', '-')");
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException(
          "tag: \""
              + tag
              + "\" (expected: up to 128 letters, digits, '_', '.', '-', not starting with '.' or"
              + " '-')");
    }
  }

  /**
   * Parses a reference.
   *
   * @throws IllegalArgumentException quoting the text and saying what was expected
   */
  public static OciReference parse(String text) {
    requireNonNull(text, "text");
    String rest = text.trim();
    if (rest.isEmpty() || rest.contains("://")) {
      throw new IllegalArgumentException("OCI reference: \"" + text + "\" (" + EXPECTED + ")");
    }
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("OCI reference: \"" + text + "\": " + e.getMessage(), e);
      }
      rest = rest.substring(0, at);
    }
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException(
          "OCI reference: \"" + text + "\" names no registry host (" + EXPECTED + ")");
    }
    String registry = rest.substring(0, slash);
    if (!registry.contains(".") && !registry.contains(":") && !registry.equals("localhost")) {
      throw new IllegalArgumentException(
          "OCI reference: \""
              + text
              + "\" starts with \""
              + registry
              + "\", which is not a registry host (a registry host has a '.' or a port, or is"
              + " localhost; "
              + EXPECTED
              + ")");
    }
    String path = rest.substring(slash + 1);
    String tag = null;
    int colon = path.lastIndexOf(':');
    if (colon >= 0) {
      tag = path.substring(colon + 1);
      path = path.substring(0, colon);
    }
    try {
      return new OciReference(registry, path, tag, digest);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("OCI reference: \"" + text + "\": " + e.getMessage(), e);
    }
  }

  /** True when the reference names a manifest digest: what it points to can never change. */
  public boolean isPinned() {
    return digest != null;
  }

  /** What the manifest is fetched by: the digest when pinned, else the tag, else {@code latest}. */
  public String manifestReference() {
    if (digest != null) {
      return digest.toString();
    }
    return tag != null ? tag : "latest";
  }

  /** The same artifact pinned to {@code manifestDigest}, keeping the tag for readers. */
  public OciReference pinned(Digest manifestDigest) {
    return new OciReference(registry, repository, tag, requireNonNull(manifestDigest, "digest"));
  }

  /** The host part without the port, brackets removed, for loopback checks. */
  public String host() {
    String host = registry;
    if (host.startsWith("[")) {
      return host.substring(1, host.indexOf(']'));
    }
    int colon = host.lastIndexOf(':');
    return colon >= 0 ? host.substring(0, colon) : host;
  }

  /** {@code registry/repository[:tag][@digest]}. */
  @Override
  public String toString() {
    return registry
        + "/"
        + repository
        + (tag != null ? ":" + tag : "")
        + (digest != null ? "@" + digest : "");
  }
}
