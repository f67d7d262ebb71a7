package io.wruntime.cli.options;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converts a duration option: a number with a unit ({@code 250ms}, {@code 30s}, {@code 5m}, {@code
 * 1h}) or ISO-8601 ({@code PT30S}). It must be positive.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  static final String EXPECTED = "a positive duration such as 250ms, 30s, 5m, 1h or PT30S";

  private static final Pattern WITH_UNIT = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /**
   * Parses a duration as the options take it.
   *
   * @throws TypeConversionException quoting the text and saying what was expected
   */
  public static Duration parse(String value) {
    String text = value.trim();
    Duration duration;
    Matcher m = WITH_UNIT.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      duration =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
          };
    } else {
      try {
        duration = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw new TypeConversionException("\"" + value + "\" (expected: " + EXPECTED + ")");
      }
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new TypeConversionException("\"" + value + "\" (expected: " + EXPECTED + ")");
    }
    return duration;
  }

  /** A duration as the options write it: {@code 30s}, {@code 250ms}, {@code 5m}. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 60_000 == 0 && millis >= 60_000) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
