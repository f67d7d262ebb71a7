package io.wruntime.engine.component;

/**
 * A component binary that does not follow the binary format: where it breaks (byte offset) and what
 * was expected there. Thrown by the parser only; the loader turns it into a load error.
 */
final class MalformedComponent extends RuntimeException {
  private final long offset;
  private final String detail;

  MalformedComponent(long offset, String message) {
    super("at byte " + offset + ": " + message);
    this.offset = offset;
    this.detail = message;
  }

  long offset() {
    return offset;
  }

  /** What was wrong, without the offset. */
  String detail() {
    return detail;
  }
}
