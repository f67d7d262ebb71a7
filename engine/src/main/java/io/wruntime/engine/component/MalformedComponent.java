package io.wruntime.engine.component;

/**
 * A component binary that does not follow the binary format: where it breaks (byte offset) and what
 * was expected there. Thrown by the parser only; the loader turns it into a load error.
 */
final class MalformedComponent extends RuntimeException {
  private final long offset;

  MalformedComponent(long offset, String message) {
    super("at byte " + offset + ": " + message);
    this.offset = offset;
  }

  long offset() {
    return offset;
  }
}
