package io.wruntime.cli.metrics;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Prometheus text exposition format (0.0.4): comment lines ({@code # HELP}, {@code #
 * TYPE}) and blank lines are skipped, every other line is {@code name{label="value",...} value
 * [timestamp]} with {@code \\}, {@code \"} and {@code \n} escapes in label values.
 */
public final class PrometheusText {
  private PrometheusText() {}

  /**
   * Parses exposition text.
   *
   * @throws IllegalArgumentException naming the line and what was expected there
   */
  public static List<Sample> parse(String text) {
    requireNonNull(text, "text");
    List<Sample> samples = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        samples.add(new LineParser(line).sample());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return samples;
  }

  /** One sample line, read left to right. */
  private static final class LineParser {
    private final String line;
    private int pos;

    LineParser(String line) {
      this.line = line;
    }

    Sample sample() {
      String name = name("a metric name");
      Map<String, String> labels = new LinkedHashMap<>();
      if (peek() == '{') {
        pos++;
        skipSpaces();
        while (peek() != '}') {
          String label = name("a label name");
          skipSpaces();
          expect('=');
          skipSpaces();
          labels.put(label, quoted());
          skipSpaces();
          if (peek() == ',') {
            pos++;
            skipSpaces();
          } else if (peek() != '}') {
            throw fail("',' or '}'");
          }
        }
        pos++;
      }
      if (peek() != ' ' && peek() != '\t') {
        throw fail("a space before the value");
      }
      skipSpaces();
      int start = pos;
      while (pos < line.length() && line.charAt(pos) != ' ' && line.charAt(pos) != '\t') {
        pos++;
      }
      return new Sample(name, labels, value(line.substring(start, pos)));
    }

    private String name(String what) {
      int start = pos;
      while (pos < line.length()) {
        char c = line.charAt(pos);
        boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!letter && !(pos > start && c >= '0' && c <= '9')) {
          break;
        }
        pos++;
      }
      if (pos == start) {
        throw fail(what);
      }
      return line.substring(start, pos);
    }

    private String quoted() {
      expect('"');
      StringBuilder value = new StringBuilder();
      while (pos < line.length()) {
        char c = line.charAt(pos++);
        if (c == '"') {
          return value.toString();
        }
        if (c == '\\' && pos < line.length()) {
          char escaped = line.charAt(pos++);
          value.append(escaped == 'n' ? '\n' : escaped);
        } else {
          value.append(c);
        }
      }
      throw fail("a closing '\"'");
    }

    private double value(String text) {
      return switch (text) {
        case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        case "NaN" -> Double.NaN;
        default -> {
          try {
            yield Double.parseDouble(text);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "\"" + text + "\" is not a sample value (expected: a number, +Inf, -Inf or NaN)");
          }
        }
      };
    }

    private char peek() {
      return pos < line.length() ? line.charAt(pos) : '\0';
    }

    private void expect(char c) {
      if (peek() != c) {
        throw fail("'" + c + "'");
      }
      pos++;
    }

    private void skipSpaces() {
      while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
        pos++;
      }
    }

    private IllegalArgumentException fail(String expected) {
      return new IllegalArgumentException(
          "\"" + line + "\" at column " + (pos + 1) + " (expected: " + expected + ")");
    }
  }
}
