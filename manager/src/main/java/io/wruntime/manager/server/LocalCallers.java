package io.wruntime.manager.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.wruntime.common.security.CallerIdentity;

/**
 * Names every caller {@link CallerIdentity#LOCAL}: the identity of a plaintext listener, where no
 * certificate proves anything. Installed only for the plaintext transport; a TLS listener names
 * callers by their client certificate instead.
 */
public final class LocalCallers implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    return Contexts.interceptCall(
        Context.current().withValue(Callers.IDENTITY, CallerIdentity.LOCAL), call, headers, next);
  }
}
