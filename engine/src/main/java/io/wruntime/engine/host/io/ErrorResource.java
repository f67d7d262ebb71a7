package io.wruntime.engine.host.io;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.OutboundException;

/**
 * A {@code wasi:io/error.error}, the payload of a stream's {@code last-operation-failed}.
 *
 * @param httpErrorCode what {@code wasi:http/types.http-error-code} returns for it, or null
 */
public record ErrorResource(String message, HttpErrorCode httpErrorCode) implements WitResource {
  public ErrorResource {
    requireNonNull(message, "message");
  }

  /**
   * The error of a failed body operation: {@code what} failed because of {@code cause}; the HTTP
   * error code is the one of an {@link OutboundException} in the cause chain, if any.
   */
  public static ErrorResource of(String what, Throwable cause) {
    HttpErrorCode code = null;
    for (Throwable t = cause; t != null && code == null; t = t.getCause()) {
      if (t instanceof OutboundException oe) {
        code = oe.code();
      }
    }
    String reason =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new ErrorResource(what + ": " + reason, code);
  }

  @Override
  public String witName() {
    return "wasi:io/error.error";
  }
}
