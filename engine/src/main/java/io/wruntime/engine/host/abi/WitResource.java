package io.wruntime.engine.host.abi;

/** A host resource that knows its WIT name, for error messages. */
public interface WitResource {
  /** E.g. {@code "wasi:io/streams.input-stream"}. */
  String witName();

  /** Releases what the resource holds when dropped or when the instance ends; idempotent. */
  default void close() {}
}
