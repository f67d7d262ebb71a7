package io.wruntime.common.names;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A semantic version {@code MAJOR.MINOR.PATCH[-PRE][+BUILD]} (semver.org 2.0.0). */
public record SemVer(long major, long minor, long patch, String preRelease, String build)
    implements Comparable<SemVer> {
  /**
   * The regular expression of a version (no anchors), in the syntax that Java, RE2 and ECMAScript
   * share, so that the CRD's OpenAPI pattern accepts exactly what {@link #parse} does.
   */
  public static final String REGEX =
      "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
          + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
          + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?";

  private static final Pattern SEMVER = Pattern.compile(REGEX);

  public SemVer {
    preRelease = preRelease == null ? "" : preRelease;
    build = build == null ? "" : build;
  }

  /** Parses a version; the exception message says what was expected. */
  public static SemVer parse(String text) {
    Matcher m = text == null ? null : SEMVER.matcher(text);
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a semantic version (expected: MAJOR.MINOR.PATCH, e.g. 1.0.0)");
    }
    try {
      return new SemVer(
          Long.parseLong(m.group(1)),
          Long.parseLong(m.group(2)),
          Long.parseLong(m.group(3)),
          m.group(4),
          m.group(5));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + text + "\" has a version number too large", e);
    }
  }

  @Override
  public int compareTo(SemVer o) {
    int c = Long.compare(major, o.major);
    if (c == 0) c = Long.compare(minor, o.minor);
    if (c == 0) c = Long.compare(patch, o.patch);
    if (c == 0) c = comparePreRelease(preRelease, o.preRelease);
    return c;
  }

  private static int comparePreRelease(String a, String b) {
    if (a.equals(b)) return 0;
    if (a.isEmpty()) return 1;
    if (b.isEmpty()) return -1;
    String[] pa = a.split("\\.");
    String[] pb = b.split("\\.");
    for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
      boolean na = pa[i].chars().allMatch(Character::isDigit);
      boolean nb = pb[i].chars().allMatch(Character::isDigit);
      int c;
      if (na && nb) c = new java.math.BigInteger(pa[i]).compareTo(new java.math.BigInteger(pb[i]));
      else if (na) c = -1;
      else if (nb) c = 1;
      else c = pa[i].compareTo(pb[i]);
      if (c != 0) return c;
    }
    return Integer.compare(pa.length, pb.length);
  }

  @Override
  public String toString() {
    return major
        + "."
        + minor
        + "."
        + patch
        + (preRelease.isEmpty() ? "" : "-" + preRelease)
        + (build.isEmpty() ? "" : "+" + build);
  }
}
