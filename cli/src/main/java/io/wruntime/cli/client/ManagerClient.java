package io.wruntime.cli.client;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.wruntime.cli.CliException;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.tls.TlsMaterial;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.ManagerServiceGrpc.ManagerServiceBlockingStub;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A connection to a manager's ManagerService for one command. Every call has a deadline, and every
 * failure becomes a {@link CliException} whose message says what went wrong: the manager could not
 * be reached, did not answer in time, or refused the request (its status description names why).
 */
public final class ManagerClient implements AutoCloseable {
  /** How long one call may take: the manager answers admin calls from memory. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  /** grpc-netty's description of a connection the server closed without an HTTP/2 answer. */
  private static final String GRPC_CLOSED = "Network closed for unknown reason";

  private final Endpoint endpoint;
  private final String name;
  private final ManagedChannel channel;
  private final Duration deadline;
  private final boolean plaintext;

  private ManagerClient(
      Endpoint endpoint,
      String name,
      ManagedChannel channel,
      Duration deadline,
      boolean plaintext) {
    this.endpoint = endpoint;
    this.name = name;
    this.channel = channel;
    this.deadline = deadline;
    this.plaintext = plaintext;
  }

  /** Opens a channel to {@code endpoint} (TLS for {@code https}); it connects on the first call. */
  public static ManagerClient connect(Endpoint endpoint) {
    return connect(endpoint, endpoint.toString());
  }

  /**
   * Like {@link #connect(Endpoint)}; messages name the manager as {@code name}, e.g. the address
   * and the port-forward behind it.
   */
  public static ManagerClient connect(Endpoint endpoint, String name) {
    return connect(endpoint, name, null);
  }

  /**
   * Like {@link #connect(Endpoint, String)}, over mTLS when {@code tls} is not null: the client
   * presents its certificate and accepts only a server certificate that chains to the CA and names
   * role {@code manager} (whatever the endpoint's scheme; host names are not checked, see {@link
   * io.wruntime.common.tls.IdentityTrustManager}). Without it, {@code https} endpoints get TLS with
   * the JDK's default trust and no client certificate.
   */
  public static ManagerClient connect(Endpoint endpoint, String name, TlsMaterial tls) {
    requireNonNull(endpoint, "endpoint");
    requireNonNull(name, "name");
    ChannelCredentials credentials;
    if (tls != null) {
      credentials =
          TlsChannelCredentials.newBuilder()
              .keyManager(tls.keyManagerFactory().getKeyManagers())
              .trustManager(tls.trustManager(Set.of(CallerIdentity.Role.MANAGER)))
              .build();
    } else {
      credentials =
          endpoint.tls() ? TlsChannelCredentials.create() : InsecureChannelCredentials.create();
    }
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(endpoint.host(), endpoint.port(), credentials).build();
    return new ManagerClient(
        endpoint, name, channel, DEFAULT_DEADLINE, tls == null && !endpoint.tls());
  }

  /** The manager's address, as the user gave it. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /**
   * Runs one call on a stub with this client's deadline.
   *
   * @throws CliException when the call fails, with a message fit for the user
   */
  public <T> T call(Function<ManagerServiceBlockingStub, T> call) {
    requireNonNull(call, "call");
    try {
      return call.apply(stub());
    } catch (StatusRuntimeException e) {
      throw failure(e);
    }
  }

  /**
   * Like {@link #call}, but a {@code NOT_FOUND} answer is an empty result rather than a failure.
   *
   * @throws CliException when the call fails otherwise
   */
  public <T> Optional<T> find(Function<ManagerServiceBlockingStub, T> call) {
    requireNonNull(call, "call");
    try {
      return Optional.of(call.apply(stub()));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw failure(e);
    }
  }

  private ManagerServiceBlockingStub stub() {
    return ManagerServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  private CliException failure(StatusRuntimeException e) {
    Status status = e.getStatus();
    String description = status.getDescription();
    return switch (status.getCode()) {
      case UNAVAILABLE -> {
        String reason = ConnectionFailures.reason(e);
        if (reason == null && GRPC_CLOSED.equals(description)) {
          reason = "connection closed";
        }
        if (plaintext && "connection closed".equals(reason)) {
          // What a manager with [tls] does to a plaintext client.
          reason +=
              " (a manager with [tls] closes plaintext connections; expected: --tls-cert,"
                  + " --tls-key and --tls-ca with an admin certificate, see wr-cli cert generate)";
        }
        yield new CliException(
            "cannot reach the manager at "
                + name
                + ": "
                + (reason != null ? reason : description != null ? description : "unavailable"),
            e);
      }
      case DEADLINE_EXCEEDED ->
          new CliException(
              "the manager at " + name + " did not answer within " + seconds(deadline), e);
      case UNAUTHENTICATED ->
          new CliException(
              "the manager at "
                  + name
                  + " does not know who is calling: "
                  + (description != null ? description : "unauthenticated"),
              e);
      case UNIMPLEMENTED ->
          new CliException(
              "the manager at "
                  + name
                  + " does not implement this call"
                  + (description != null ? ": " + description : "")
                  + " (expected: a manager of this wr-cli's version or newer)",
              e);
      default ->
          new CliException(
              description != null
                  ? description
                  : "the manager at " + name + " answered " + status.getCode(),
              e);
    };
  }

  private static String seconds(Duration d) {
    return d.toSeconds() + " s";
  }

  /** Closes the channel without waiting: every call of this client has returned. */
  @Override
  public void close() {
    channel.shutdownNow();
  }
}
