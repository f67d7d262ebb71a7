package io.wruntime.engine.host.blobstore;

/**
 * The values of {@code wruntime:blobstore/store} (wit/blobstore/store.wit), as the host uses them.
 */
final class Blob {
  private Blob() {}

  /** The cases of {@code error}, in WIT order. */
  enum ErrorKind {
    NOT_FOUND,
    ACCESS_DENIED,
    IO,
    TOO_LARGE
  }

  /**
   * What {@code head} and {@code list} say about an object ({@code object-meta}).
   *
   * @param key the module's key (without its namespace)
   * @param lastModified milliseconds since the Unix epoch
   * @param contentType or null
   * @param etag or null
   */
  record Meta(String key, long size, long lastModified, String contentType, String etag) {}

  /** An {@code error} for the module: its case and its text. */
  static final class Failure extends Exception {
    private final ErrorKind kind;

    Failure(ErrorKind kind, String message) {
      super(message, null, false, false);
      this.kind = kind;
    }

    ErrorKind kind() {
      return kind;
    }
  }
}
