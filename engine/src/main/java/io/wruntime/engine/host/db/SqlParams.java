package io.wruntime.engine.host.db;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns PostgreSQL's numbered parameters ({@code $1}, {@code $2} ...) into the JDBC driver's
 * positional {@code ?} markers: outside of string literals, quoted identifiers, dollar-quoted
 * strings and comments, each {@code $n} becomes {@code ?} (remembering n) and each {@code ?} (a
 * jsonb operator) becomes {@code ??}, which the driver sends as {@code ?}.
 *
 * @param sql the statement for the driver
 * @param positions for each {@code ?} in order, the 1-based number of the parameter it stands for
 */
record SqlParams(String sql, int[] positions) {

  static SqlParams of(String sql) {
    StringBuilder out = new StringBuilder(sql.length() + 8);
    List<Integer> positions = new ArrayList<>();
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'') {
        boolean escapes =
            i > 0
                && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                && (i < 2 || !identifierChar(sql.charAt(i - 2)));
        int end = i + 1;
        while (end < n && sql.charAt(end) != '\'') {
          end += escapes && sql.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(end + 1, n);
        out.append(sql, i, end);
        i = end;
      } else if (c == '"') {
        int end = sql.indexOf('"', i + 1);
        end = end < 0 ? n : end + 1;
        out.append(sql, i, end);
        i = end;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        end = end < 0 ? n : end + 1;
        out.append(sql, i, end);
        i = end;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = blockCommentEnd(sql, i);
        out.append(sql, i, end);
        i = end;
      } else if (c == '$' && (i == 0 || !identifierChar(sql.charAt(i - 1)))) {
        int j = i + 1;
        while (j < n && Character.isDigit(sql.charAt(j))) {
          j++;
        }
        if (j > i + 1) {
          String digits = sql.substring(i + 1, j);
          positions.add(digits.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(digits));
          out.append('?');
          i = j;
          continue;
        }
        int tagEnd = j;
        while (tagEnd < n && identifierChar(sql.charAt(tagEnd)) && sql.charAt(tagEnd) != '$') {
          tagEnd++;
        }
        if (tagEnd < n && sql.charAt(tagEnd) == '$') {
          String tag = sql.substring(i, tagEnd + 1);
          int close = sql.indexOf(tag, tagEnd + 1);
          int end = close < 0 ? n : close + tag.length();
          out.append(sql, i, end);
          i = end;
        } else {
          out.append(c);
          i++;
        }
      } else if (c == '?') {
        out.append("??");
        i++;
      } else {
        out.append(c);
        i++;
      }
    }
    int[] p = new int[positions.size()];
    for (int k = 0; k < p.length; k++) {
      p[k] = positions.get(k);
    }
    return new SqlParams(out.toString(), p);
  }

  /** The highest parameter number used, or 0. */
  int highest() {
    int max = 0;
    for (int p : positions) {
      max = Math.max(max, p);
    }
    return max;
  }

  /** The first parameter number from 1 to {@code count} the statement does not use, or 0. */
  int firstUnused(int count) {
    boolean[] used = new boolean[count + 1];
    for (int p : positions) {
      if (p <= count) {
        used[p] = true;
      }
    }
    for (int k = 1; k <= count; k++) {
      if (!used[k]) {
        return k;
      }
    }
    return 0;
  }

  private static int blockCommentEnd(String sql, int start) {
    int depth = 0;
    int i = start;
    while (i < sql.length()) {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return sql.length();
  }

  private static boolean identifierChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
