package io.wruntime.common.names;

import java.util.regex.Pattern;

/**
 * S3 bucket and region names, checked the same way by the engine's configuration and by the
 * operator (whose CRD uses the same expressions).
 */
public final class S3Names {
  /** A region (no anchors), in the syntax that Java, RE2 and ECMAScript share. */
  public static final String REGION_REGEX = "[A-Za-z0-9_-]{1,64}";

  /** A bucket: 3-63 of [a-z0-9.-], starting and ending with a letter or digit (no anchors). */
  public static final String BUCKET_REGEX = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]";

  private static final Pattern REGION = Pattern.compile(REGION_REGEX);
  private static final Pattern BUCKET = Pattern.compile(BUCKET_REGEX);
  private static final Pattern IPV4_FORM = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private S3Names() {}

  /** Null when {@code region} is valid, else what was expected. */
  public static String regionProblem(String region) {
    return region != null && REGION.matcher(region).matches()
        ? null
        : "\""
            + region
            + "\" is not a valid region (expected: 1-64 letters, digits, '-' and '_', e.g. us-east-1)";
  }

  /** Null when {@code bucket} is a valid S3 bucket name, else what was expected. */
  public static String bucketProblem(String bucket) {
    if (bucket != null
        && BUCKET.matcher(bucket).matches()
        && !bucket.contains("..")
        && !IPV4_FORM.matcher(bucket).matches()) {
      return null;
    }
    return "\""
        + bucket
        + "\" is not a valid S3 bucket name (expected: 3-63 lowercase letters, digits, '.'"
        + " and '-', starting and ending with a letter or digit, without '..', not an IP"
        + " address)";
  }
}
