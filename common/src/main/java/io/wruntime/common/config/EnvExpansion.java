package io.wruntime.common.config;

import java.util.function.Function;

/**
 * Expands {@code ${NAME}} in a configuration string to the value of environment variable {@code
 * NAME} ({@code [A-Za-z_][A-Za-z0-9_]*}), and {@code $$} to a literal {@code $}. One pass: an
 * expanded value is inserted as it is, even when it contains {@code $}.
 */
final class EnvExpansion {
  static final String SYNTAX =
      "expected: ${NAME} for an environment variable, NAME of letters, digits and '_' not"
          + " starting with a digit, or $$ for a literal $";

  private EnvExpansion() {}

  /**
   * {@code value} with its references replaced by what {@code env} returns for them.
   *
   * @throws IllegalArgumentException a malformed reference or an unset variable, worded to follow
   *     {@code key = "value": }
   */
  static String expand(String value, Function<String, String> env) {
    int dollar = value.indexOf('$');
    if (dollar < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    int from = 0;
    while (dollar >= 0) {
      out.append(value, from, dollar);
      if (dollar + 1 < value.length() && value.charAt(dollar + 1) == '$') {
        out.append('$');
        from = dollar + 2;
      } else if (dollar + 1 < value.length() && value.charAt(dollar + 1) == '{') {
        int close = value.indexOf('}', dollar + 2);
        if (close < 0) {
          throw new IllegalArgumentException(
              "the ${ at offset " + dollar + " is not closed by } (" + SYNTAX + ")");
        }
        String name = value.substring(dollar + 2, close);
        if (!isName(name)) {
          throw new IllegalArgumentException(
              "${" + name + "} is not a valid variable reference (" + SYNTAX + ")");
        }
        String replacement = env.apply(name);
        if (replacement == null) {
          throw new IllegalArgumentException(
              "environment variable "
                  + name
                  + " is not set (expected: set it, or write $$ for a literal $)");
        }
        out.append(replacement);
        from = close + 1;
      } else {
        throw new IllegalArgumentException(
            "the $ at offset " + dollar + " starts neither ${NAME} nor $$ (" + SYNTAX + ")");
      }
      dollar = value.indexOf('$', from);
    }
    return out.append(value, from, value.length()).toString();
  }

  private static boolean isName(String name) {
    if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
        return false;
      }
    }
    return true;
  }
}
