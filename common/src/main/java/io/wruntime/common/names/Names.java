package io.wruntime.common.names;

/** Rules for module names and logical namespaces: 1-24 characters of [a-z0-9-], no edge '-'. */
public final class Names {
  public static final int MAX_LENGTH = 24;

  /**
   * The regular expression of a name (no anchors; the length is checked apart), in the syntax that
   * Java, RE2 and ECMAScript share.
   */
  public static final String REGEX = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";

  private Names() {}

  /** Null when {@code value} is a valid name, else the reason it is not. */
  public static String problem(String value) {
    if (value == null || value.isEmpty()) {
      return "is empty (expected: 1-" + MAX_LENGTH + " characters of [a-z0-9-])";
    }
    if (value.length() > MAX_LENGTH) {
      return "\""
          + value
          + "\" has "
          + value.length()
          + " characters (expected: at most "
          + MAX_LENGTH
          + ")";
    }
    if (!matchesName(value)) {
      return "\""
          + value
          + "\" is not a valid name (expected: lowercase letters, digits and '-', not starting or ending with '-')";
    }
    return null;
  }

  /** {@link #REGEX} by hand: the proxy checks names on every request, a matcher allocates. */
  private static boolean matchesName(String value) {
    int last = value.length() - 1;
    for (int i = 0; i <= last; i++) {
      char c = value.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!alnum && (c != '-' || i == 0 || i == last)) {
        return false;
      }
    }
    return true;
  }

  public static boolean isValid(String value) {
    return problem(value) == null;
  }
}
