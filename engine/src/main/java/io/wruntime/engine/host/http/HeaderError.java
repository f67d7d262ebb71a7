package io.wruntime.engine.host.http;

/**
 * The cases of {@code wasi:http/types.header-error}, in WIT order: {@link #ordinal()} is the
 * discriminant.
 */
enum HeaderError {
  /** A field name is not an HTTP token, or a value has a control character. */
  INVALID_SYNTAX,
  /**
   * The name is one the host manages itself (connection-level headers, {@code host}), or the change
   * would take the fields past their size limit.
   */
  FORBIDDEN,
  /** The fields belong to a request or response and cannot be changed. */
  IMMUTABLE
}
