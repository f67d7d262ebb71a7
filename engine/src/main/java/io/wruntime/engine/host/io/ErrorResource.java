package io.wruntime.engine.host.io;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.HttpErrorCode;

/**
 * A {@code wasi:io/error.error}, the payload of a stream's {@code last-operation-failed}.
 *
 * @param httpErrorCode what {@code wasi:http/types.http-error-code} returns for it, or null
 */
public record ErrorResource(String message, HttpErrorCode httpErrorCode) implements WitResource {
  public ErrorResource {
    requireNonNull(message, "message");
  }

  @Override
  public String witName() {
    return "wasi:io/error.error";
  }
}
