package io.wruntime.manager.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.wruntime.common.security.CallerIdentity;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Sets {@link Callers#IDENTITY} for every call, before the service sees it.
 *
 * <p>With TLS ({@link #certificates()}), the identity is read from the client certificate, whose
 * chain the TLS layer has already verified against the CA; a call without a certificate, or with
 * one that names no wruntime identity, ends with {@code UNAUTHENTICATED} and a description of what
 * is missing. Without TLS ({@link #local()}), every caller is {@link CallerIdentity#LOCAL}: the
 * configuration only allows that on loopback, or where {@code allow_plaintext} accepts the risk.
 */
public final class CallerAuthentication implements ServerInterceptor {
  private static final String EXPECTED =
      "expected: a client certificate issued by the manager's CA, naming a wruntime identity"
          + " (wr-cli --tls-cert/--tls-key/--tls-ca, or the proxy's [node.tls])";

  private final boolean tls;

  private CallerAuthentication(boolean tls) {
    this.tls = tls;
  }

  /** Callers identified by their (chain-verified) client certificate. */
  public static CallerAuthentication certificates() {
    return new CallerAuthentication(true);
  }

  /** Every caller is {@link CallerIdentity#LOCAL}: a plaintext listener. */
  public static CallerAuthentication local() {
    return new CallerAuthentication(false);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    CallerIdentity identity;
    if (!tls) {
      // An identity already in the context was set by an interceptor of the ServerBuilder the
      // embedding code passed in (tests name other callers that way); remote callers cannot set
      // context values, so on a plaintext listener they are all LOCAL.
      CallerIdentity embedded = Callers.IDENTITY.get();
      identity = embedded != null ? embedded : CallerIdentity.LOCAL;
    } else {
      SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      if (session == null) {
        return refuse(call, "the call did not arrive over TLS (" + EXPECTED + ")");
      }
      Certificate[] chain;
      try {
        chain = session.getPeerCertificates();
      } catch (SSLPeerUnverifiedException e) {
        return refuse(
            call, "no client certificate, or none issued by the manager's CA (" + EXPECTED + ")");
      }
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return refuse(call, "no X.509 client certificate (" + EXPECTED + ")");
      }
      try {
        identity = CallerIdentity.of(leaf);
      } catch (IllegalArgumentException e) {
        return refuse(call, "client " + e.getMessage());
      }
    }
    Context context = Context.current().withValue(Callers.IDENTITY, identity);
    return Contexts.interceptCall(context, call, headers, next);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String description) {
    call.close(Status.UNAUTHENTICATED.withDescription(description), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
