package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.Readiness;
import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import java.io.IOException;
import java.util.List;

/**
 * A {@code wasi:http/types.future-trailers}: ready once the body's end arrived. Whatever of the
 * body the guest did not read is drained and dropped as it arrives, so the trailers behind it can
 * come.
 */
final class FutureTrailersResource implements WitResource {
  private static final int DRAIN_CHUNK = 64 * 1024;

  private final BodySource source;
  private List<Field> trailers;
  private ErrorCodeValue error;
  private boolean taken;

  FutureTrailersResource(BodySource source, Readiness readiness) {
    this.source = source;
    source.addListener(readiness::wake);
  }

  /** Drains what arrived; true once the end or a failure was reached. */
  boolean poll() {
    if (trailers != null || error != null) {
      return true;
    }
    try {
      while (true) {
        byte[] chunk = source.read(DRAIN_CHUNK);
        if (chunk == null) {
          trailers = source.trailers();
          return true;
        }
        if (chunk.length == 0) {
          return false;
        }
      }
    } catch (IOException e) {
      error = ErrorCodeValue.of(e, HttpErrorCode.CONNECTION_TERMINATED);
      return true;
    }
  }

  /** True the first time only, once ready: the result can be taken once. */
  boolean take() {
    if (taken) {
      return false;
    }
    taken = true;
    return true;
  }

  boolean isTaken() {
    return taken;
  }

  /** The trailers (empty when none) once {@link #poll} is true and there was no error. */
  List<Field> trailers() {
    return trailers;
  }

  ErrorCodeValue error() {
    return error;
  }

  @Override
  public String witName() {
    return "wasi:http/types.future-trailers";
  }

  @Override
  public void close() {
    if (trailers == null && error == null) {
      source.discard();
    }
  }
}
