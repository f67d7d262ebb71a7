package io.wruntime.common.names;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic-version requirement, as callers write it in {@code x-wr-version} and admins in a
 * routing rule's {@code default_version}: comparators separated by commas (or spaces), all of which
 * must hold.
 *
 * <p>A comparator is an optional operator and a full or partial version ({@code 1}, {@code 1.2},
 * {@code 1.2.3}, wildcards {@code *}, {@code 1.x}, {@code 1.2.*}):
 *
 * <ul>
 *   <li>{@code =V} and a bare {@code V}: exactly V; a partial V pins only what it names ({@code
 *       =1.2} is {@code >=1.2.0, <1.3.0}).
 *   <li>{@code ^V}: compatible with V: the left-most non-zero part stays ({@code ^1.2} is {@code
 *       >=1.2.0, <2.0.0}; {@code ^0.2.3} is {@code >=0.2.3, <0.3.0}).
 *   <li>{@code ~V}: patch updates only ({@code ~1.2.3} is {@code >=1.2.3, <1.3.0}; {@code ~1} is
 *       {@code >=1.0.0, <2.0.0}).
 *   <li>{@code >}, {@code >=}, {@code <}, {@code <=}: ordered comparison; a partial version stands
 *       for the whole range it names ({@code >1.2} is {@code >=1.3.0}, {@code <=1.2} is {@code
 *       <1.3.0}).
 * </ul>
 *
 * <p>Pre-release versions ({@code 1.3.0-rc.1}) match only a requirement with a comparator that
 * names a pre-release of the same {@code MAJOR.MINOR.PATCH}, so that {@code ^1} never picks a
 * release candidate by accident. These are the rules of Cargo's requirements, except that a bare
 * version means {@code =} rather than {@code ^}. Build metadata is ignored.
 */
public final class VersionRequirement {
  /** What a requirement looks like, for error messages. */
  public static final String EXPECTED =
      "a semver requirement such as ^1.2, ~1.4.0, =1.4.0, >=1.0.0, <2.0.0 or 1.2.3";

  private static final Pattern COMPARATOR =
      Pattern.compile(
          "(\\^|~|=|>=|<=|>|<)?\\s*"
              + "(0|[1-9]\\d*|\\*|x|X)"
              + "(?:\\.(0|[1-9]\\d*|\\*|x|X))?"
              + "(?:\\.(0|[1-9]\\d*|\\*|x|X))?"
              + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?"
              + "(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

  private static final Pattern SEPARATOR = Pattern.compile("\\s*,\\s*|\\s+");

  private final String text;
  private final List<Comparator> comparators;

  private VersionRequirement(String text, List<Comparator> comparators) {
    this.text = text;
    this.comparators = comparators;
  }

  /**
   * Parses a requirement.
   *
   * @throws IllegalArgumentException when {@code text} is not a requirement; the message quotes it
   *     and says what was expected
   */
  public static VersionRequirement parse(String text) {
    requireNonNull(text, "text");
    String trimmed = text.trim();
    if (trimmed.isEmpty()) {
      throw invalid(text);
    }
    List<Comparator> comparators = new ArrayList<>();
    Matcher m = COMPARATOR.matcher(trimmed);
    int at = 0;
    while (true) {
      m.region(at, trimmed.length());
      if (!m.lookingAt()) {
        throw invalid(text);
      }
      comparators.add(comparator(text, m));
      at = m.end();
      if (at == trimmed.length()) {
        break;
      }
      Matcher separator = SEPARATOR.matcher(trimmed).region(at, trimmed.length());
      if (!separator.lookingAt() || separator.end() == trimmed.length()) {
        throw invalid(text);
      }
      at = separator.end();
    }
    return new VersionRequirement(trimmed, List.copyOf(comparators));
  }

  private static Comparator comparator(String text, Matcher m) {
    String opText = m.group(1);
    Op op =
        switch (opText == null ? "" : opText) {
          case "" -> Op.EXACT;
          case "=" -> Op.EXACT;
          case "^" -> Op.CARET;
          case "~" -> Op.TILDE;
          case ">" -> Op.GREATER;
          case ">=" -> Op.GREATER_EQ;
          case "<" -> Op.LESS;
          case "<=" -> Op.LESS_EQ;
          default -> throw invalid(text);
        };
    Long major = part(text, m.group(2));
    Long minor = m.group(3) == null ? null : part(text, m.group(3));
    Long patch = m.group(4) == null ? null : part(text, m.group(4));
    String pre = m.group(5) == null ? "" : m.group(5);
    // A wildcard ends the version: nothing precise may follow it (1.*.3 means nothing).
    if ((major == null && (m.group(3) != null || m.group(4) != null))
        || (minor == null && m.group(4) != null)
        || (!pre.isEmpty() && patch == null)) {
      throw invalid(text);
    }
    if (major == null) {
      // "*": any version; an operator before a bare wildcard adds nothing.
      return new Comparator(Op.WILDCARD, 0, null, null, "");
    }
    if (minor == null || patch == null) {
      if (op == Op.EXACT || op == Op.CARET || op == Op.TILDE) {
        return new Comparator(op, major, minor, patch, "");
      }
    }
    return new Comparator(op, major, minor, patch, pre);
  }

  private static Long part(String text, String value) {
    if (value.equals("*") || value.equalsIgnoreCase("x")) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw invalid(text);
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("\"" + text + "\" (expected: " + EXPECTED + ")");
  }

  /** Whether {@code version} satisfies every comparator of this requirement. */
  public boolean matches(SemVer version) {
    requireNonNull(version, "version");
    for (Comparator c : comparators) {
      if (!c.matches(version)) {
        return false;
      }
    }
    if (version.preRelease().isEmpty()) {
      return true;
    }
    for (Comparator c : comparators) {
      if (c.allowsPreReleaseOf(version)) {
        return true;
      }
    }
    return false;
  }

  /** The highest of {@code versions} that matches, if any. */
  public Optional<SemVer> highestMatch(Collection<SemVer> versions) {
    requireNonNull(versions, "versions");
    SemVer best = null;
    for (SemVer v : versions) {
      if (matches(v) && (best == null || v.compareTo(best) > 0)) {
        best = v;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The requirement as written (trimmed). */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionRequirement other && other.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  private enum Op {
    EXACT,
    CARET,
    TILDE,
    GREATER,
    GREATER_EQ,
    LESS,
    LESS_EQ,
    WILDCARD
  }

  /** One comparator; {@code minor}/{@code patch} are null when the version leaves them open. */
  private record Comparator(Op op, long major, Long minor, Long patch, String pre) {
    boolean matches(SemVer v) {
      return switch (op) {
        case WILDCARD -> true;
        case EXACT -> exact(v);
        case GREATER -> greater(v);
        case GREATER_EQ -> exact(v) || greater(v);
        case LESS -> less(v);
        case LESS_EQ -> exact(v) || less(v);
        case TILDE -> tilde(v);
        case CARET -> caret(v);
      };
    }

    private boolean exact(SemVer v) {
      if (v.major() != major) return false;
      if (minor != null && v.minor() != minor) return false;
      if (patch != null && v.patch() != patch) return false;
      return v.preRelease().equals(pre);
    }

    private boolean greater(SemVer v) {
      if (v.major() != major) return v.major() > major;
      if (minor == null) return false;
      if (v.minor() != minor) return v.minor() > minor;
      if (patch == null) return false;
      if (v.patch() != patch) return v.patch() > patch;
      return comparePre(v) > 0;
    }

    private boolean less(SemVer v) {
      if (v.major() != major) return v.major() < major;
      if (minor == null) return false;
      if (v.minor() != minor) return v.minor() < minor;
      if (patch == null) return false;
      if (v.patch() != patch) return v.patch() < patch;
      return comparePre(v) < 0;
    }

    private boolean tilde(SemVer v) {
      if (v.major() != major) return false;
      if (minor != null && v.minor() != minor) return false;
      if (patch != null && v.patch() != patch) return v.patch() > patch;
      return comparePre(v) >= 0;
    }

    private boolean caret(SemVer v) {
      if (v.major() != major) return false;
      if (minor == null) return true;
      if (patch == null) {
        return major > 0 ? v.minor() >= minor : v.minor() == minor;
      }
      if (major > 0) {
        if (v.minor() != minor) return v.minor() > minor;
        if (v.patch() != patch) return v.patch() > patch;
      } else if (minor > 0) {
        if (v.minor() != minor) return false;
        if (v.patch() != patch) return v.patch() > patch;
      } else if (v.minor() != minor || v.patch() != patch) {
        return false;
      }
      return comparePre(v) >= 0;
    }

    /** Compares the pre-release of {@code v} with this comparator's (same numbers assumed). */
    private int comparePre(SemVer v) {
      return new SemVer(0, 0, 0, v.preRelease(), "").compareTo(new SemVer(0, 0, 0, pre, ""));
    }

    boolean allowsPreReleaseOf(SemVer v) {
      return op != Op.WILDCARD
          && !pre.isEmpty()
          && v.major() == major
          && minor != null
          && v.minor() == minor
          && patch != null
          && v.patch() == patch;
    }
  }
}
