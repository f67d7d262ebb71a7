package io.wruntime.manager;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.manager.server.Callers;

/**
 * Test stand-in for certificate authentication on the in-process transport: the client names its
 * identity in a header, the server interceptor believes it. Test code only; the manager names
 * plaintext callers LOCAL and TLS callers by their certificate.
 */
public final class TestCallers {
  private static final Metadata.Key<String> IDENTITY =
      Metadata.Key.of("wr-test-identity", Metadata.ASCII_STRING_MARSHALLER);

  private TestCallers() {}

  /** Sets {@link Callers#IDENTITY} from the header, when the call carries one. */
  public static ServerInterceptor fromHeader() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String value = headers.get(IDENTITY);
        if (value == null) {
          return next.startCall(call, headers);
        }
        int slash = value.indexOf('/');
        CallerIdentity identity =
            new CallerIdentity(
                CallerIdentity.Role.valueOf(value.substring(0, slash).toUpperCase()),
                value.substring(slash + 1));
        return Contexts.interceptCall(
            Context.current().withValue(Callers.IDENTITY, identity), call, headers, next);
      }
    };
  }

  /** Makes every call of a stub claim {@code identity} (with {@link #fromHeader()} installed). */
  public static ClientInterceptor as(CallerIdentity identity) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            headers.put(IDENTITY, identity.toString());
            super.start(listener, headers);
          }
        };
      }
    };
  }

  public static CallerIdentity node(String name) {
    return new CallerIdentity(CallerIdentity.Role.NODE, name);
  }

  public static CallerIdentity admin(String name) {
    return new CallerIdentity(CallerIdentity.Role.ADMIN, name);
  }
}
