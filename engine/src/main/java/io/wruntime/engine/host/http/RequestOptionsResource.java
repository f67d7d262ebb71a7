package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;
import java.time.Duration;

/**
 * A {@code wasi:http/types.request-options}: the timeouts of one outgoing request, in nanoseconds
 * as the guest gave them (null = none).
 */
final class RequestOptionsResource implements WitResource {
  Long connectTimeout;
  Long firstByteTimeout;
  Long betweenBytesTimeout;

  /** A guest duration (u64 nanoseconds) as a {@link Duration}; null stays null. */
  static Duration duration(Long nanos) {
    if (nanos == null) {
      return null;
    }
    return nanos < 0 ? Duration.ofNanos(Long.MAX_VALUE) : Duration.ofNanos(nanos);
  }

  @Override
  public String witName() {
    return "wasi:http/types.request-options";
  }
}
