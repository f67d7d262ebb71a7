package io.wruntime.manager.server;

import static java.util.Objects.requireNonNull;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.wruntime.manager.grpc.ManagerService;
import io.wruntime.manager.grpc.RoutingTableWatchers;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server of ManagerService. It takes a {@link ServerBuilder} so that the transport is the
 * caller's choice: Netty on a real address for {@code wr-manager}, in-process for tests.
 */
public final class ManagerServer implements AutoCloseable {
  /** How long {@link #close()} lets in-flight calls finish. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

  private final Server server;
  private final RoutingTableWatchers watchers;
  private volatile boolean serving;

  /**
   * A server whose callers are all {@link io.wruntime.common.security.CallerIdentity#LOCAL}: for a
   * plaintext listener (and the in-process transport of tests).
   */
  public ManagerServer(
      ServerBuilder<?> builder, ManagerService service, RoutingTableWatchers watchers) {
    this(builder, service, watchers, CallerAuthentication.local());
  }

  /**
   * A server whose callers {@code authentication} identifies before any call reaches the service.
   */
  public ManagerServer(
      ServerBuilder<?> builder,
      ManagerService service,
      RoutingTableWatchers watchers,
      CallerAuthentication authentication) {
    requireNonNull(builder, "builder");
    requireNonNull(service, "service");
    requireNonNull(authentication, "authentication");
    this.watchers = requireNonNull(watchers, "watchers");
    this.server = builder.addService(ServerInterceptors.intercept(service, authentication)).build();
  }

  /**
   * Binds and starts serving.
   *
   * @throws IOException when the address cannot be bound
   */
  public ManagerServer start() throws IOException {
    server.start();
    serving = true;
    return this;
  }

  /** Whether the server accepts calls: started and not stopping. */
  public boolean isServing() {
    return serving;
  }

  /** The addresses the server listens on (with the real port when configured as 0). */
  public List<? extends SocketAddress> listenAddresses() {
    return server.getListenSockets();
  }

  /**
   * Stops gracefully: new calls are refused, open WatchRoutingTable streams end with OK (proxies
   * resubscribe), and in-flight calls get until {@code grace} to finish before they are cancelled.
   *
   * @return true when every call finished within the grace period
   */
  public boolean stop(Duration grace) throws InterruptedException {
    requireNonNull(grace, "grace");
    serving = false;
    server.shutdown();
    // Watch streams never end on their own: end them, or shutdown would wait for the deadline.
    watchers.close();
    if (server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      return true;
    }
    server.shutdownNow();
    server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    return false;
  }

  /** Stops with the default grace period; an interrupt cuts the grace short and is kept. */
  @Override
  public void close() {
    if (server.isTerminated()) {
      return;
    }
    try {
      stop(DEFAULT_GRACE);
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
