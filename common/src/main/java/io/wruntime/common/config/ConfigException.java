package io.wruntime.common.config;

/**
 * A configuration value is missing or wrong. The message names the file, the key, the offending
 * value and what was expected, so that it can be shown to a user as it is.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
