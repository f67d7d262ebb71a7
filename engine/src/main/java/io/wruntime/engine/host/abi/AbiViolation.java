package io.wruntime.engine.host.abi;

/**
 * The guest passed a host function something invalid: a pointer or length outside its memory, a
 * misaligned pointer, an unknown or wrongly typed handle, invalid UTF-8, a bad discriminant. Host
 * functions throw it; the instance stops and the request fails with {@code ABI_VIOLATION}.
 */
public final class AbiViolation extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AbiViolation(String message) {
    super(message);
  }
}
