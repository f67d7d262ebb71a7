package io.wruntime.common.oci;

import java.io.IOException;

/**
 * Fetching or pushing an OCI artifact failed for a reason the message names: an unreachable
 * registry, a refused credential, a missing manifest or layer, a malformed reference.
 */
public class OciException extends IOException {
  private static final long serialVersionUID = 1L;

  public OciException(String message) {
    super(message);
  }

  public OciException(String message, Throwable cause) {
    super(message, cause);
  }
}
