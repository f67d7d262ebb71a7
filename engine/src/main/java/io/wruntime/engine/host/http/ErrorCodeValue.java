package io.wruntime.engine.host.http;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.OutboundException;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A {@code wasi:http/types.error-code} value: the case, and a detail. The host lowers the detail as
 * the payload of {@code internal-error}; other cases are lowered with empty payloads (every option
 * {@code none}). When lifted from the guest, the detail describes the payload for messages.
 *
 * @param detail free text, or null
 */
record ErrorCodeValue(HttpErrorCode code, String detail) {
  ErrorCodeValue {
    requireNonNull(code, "code");
  }

  /**
   * The error code a failure maps to: the code of an {@link OutboundException} in its causes, else
   * {@code fallback} with the failure's message.
   */
  static ErrorCodeValue of(Throwable failure, HttpErrorCode fallback) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof OutboundException oe) {
        return new ErrorCodeValue(oe.code(), oe.getMessage());
      }
      if (t instanceof CancellationException) {
        return new ErrorCodeValue(HttpErrorCode.INTERNAL_ERROR, "request cancelled");
      }
      if (!(t instanceof CompletionException) && !(t instanceof ExecutionException)) {
        break;
      }
    }
    Throwable shown = t == null ? failure : t;
    String message = shown.getMessage() == null ? shown.getClass().getName() : shown.getMessage();
    return new ErrorCodeValue(fallback, message);
  }

  /** The WIT case name in lower case, e.g. {@code http-request-uri-invalid}. */
  String witName() {
    return witName(code);
  }

  static String witName(HttpErrorCode code) {
    return code.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** E.g. {@code internal-error (upstream closed)}, for messages. */
  String describe() {
    return detail == null || detail.isEmpty() ? witName() : witName() + " (" + detail + ")";
  }
}
