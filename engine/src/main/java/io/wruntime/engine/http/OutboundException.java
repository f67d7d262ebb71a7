package io.wruntime.engine.http;

import static java.util.Objects.requireNonNull;

/** A failed outgoing request, with the wasi:http error code the module is given. */
public final class OutboundException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final HttpErrorCode code;

  public OutboundException(HttpErrorCode code, String message) {
    super(message);
    this.code = requireNonNull(code, "code");
  }

  public OutboundException(HttpErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = requireNonNull(code, "code");
  }

  public HttpErrorCode code() {
    return code;
  }
}
