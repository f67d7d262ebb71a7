package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.BodySource;

/**
 * A {@code wasi:http/types.incoming-body}: a request's or response's body, readable once as an
 * input-stream, then finished into its trailers.
 */
final class IncomingBodyResource implements WitResource {
  private final BodySource source;
  private final String description;
  private boolean streamTaken;
  private boolean released;

  IncomingBodyResource(BodySource source, String description) {
    this.source = source;
    this.description = description;
  }

  BodySource source() {
    return source;
  }

  String description() {
    return description;
  }

  /** True the first time only: the stream can be taken once. */
  boolean takeStream() {
    if (streamTaken) {
      return false;
    }
    streamTaken = true;
    return true;
  }

  /**
   * The body passes to a future-trailers ({@code incoming-body.finish}); closing no longer
   * discards.
   */
  void handOff() {
    released = true;
  }

  @Override
  public String witName() {
    return "wasi:http/types.incoming-body";
  }

  /** Dropped without finish: the guest wants no more of the body, so the producer may stop. */
  @Override
  public void close() {
    if (!released) {
      released = true;
      source.discard();
    }
  }
}
