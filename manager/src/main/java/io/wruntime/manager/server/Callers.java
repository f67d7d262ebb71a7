package io.wruntime.manager.server;

import io.grpc.Context;
import io.wruntime.common.security.CallerIdentity;

/** Where the identity of the current gRPC caller lives while its call runs. */
public final class Callers {
  /**
   * The caller of the current call: set by the server's authentication interceptor from the client
   * certificate (TLS), or {@link CallerIdentity#LOCAL} on a loopback plaintext listener. Never null
   * inside a call once the interceptor is installed.
   */
  public static final Context.Key<CallerIdentity> IDENTITY = Context.key("wruntime-caller");

  private Callers() {}

  /**
   * The identity of the current caller. Fails closed: outside a call that passed the authentication
   * interceptor there is no caller, and nothing may be allowed.
   *
   * @throws IllegalStateException when no interceptor set an identity
   */
  public static CallerIdentity current() {
    CallerIdentity identity = IDENTITY.get();
    if (identity == null) {
      throw new IllegalStateException(
          "no caller identity: the authentication interceptor is not installed");
    }
    return identity;
  }
}
