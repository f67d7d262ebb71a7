package io.wruntime.engine.http;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * An error the engine answers with instead of a module response: an HTTP status, a stable
 * machine-readable code and a message naming what was wrong and what was expected.
 *
 * @param retryAfter sent as {@code Retry-After} when non-null (saturation, open circuits)
 */
public record EngineError(int status, String code, String message, Duration retryAfter) {
  public EngineError {
    requireNonNull(code, "code");
    requireNonNull(message, "message");
  }

  public EngineError(int status, String code, String message) {
    this(status, code, message, null);
  }
}
