package io.wruntime.manager.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.ServerCallStreamObserver;
import io.wruntime.proto.v1.RoutingTable;
import io.wruntime.proto.v1.WatchRoutingTableResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open {@code WatchRoutingTable} streams. Each watcher is sent the latest table whenever the
 * registry publishes a new version and its stream can take a message.
 *
 * <p>Why coalescing: the registry never waits for a watcher. A change only marks the watchers stale
 * and schedules a send on an executor; a watcher whose stream is not ready (a slow proxy, gRPC flow
 * control) is skipped until its {@code onReady} callback, and then gets only the newest table.
 * Intermediate versions it missed are never queued, so a slow watcher costs one pending flag, not a
 * growing buffer.
 */
public final class RoutingTableWatchers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingTableWatchers.class);

  private final RoutingTablePublisher publisher;
  private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
  private final ExecutorService sender =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("table-watch-", 0).factory());
  private final Runnable onChange = this::changed;
  private volatile boolean closed;

  public RoutingTableWatchers(RoutingTablePublisher publisher) {
    this.publisher = requireNonNull(publisher, "publisher");
    publisher.addListener(onChange);
  }

  /** How many streams are open. */
  public int count() {
    return watchers.size();
  }

  /**
   * Adds a stream: it gets the full table at once (when ready), then the full table after every
   * change. Must be called from the service method, before it returns.
   */
  void watch(String node, ServerCallStreamObserver<WatchRoutingTableResponse> observer) {
    Watcher watcher = new Watcher(node, observer);
    observer.setOnCancelHandler(() -> watchers.remove(watcher));
    observer.setOnReadyHandler(watcher::schedule);
    watchers.add(watcher);
    if (closed) {
      // Accepted just before the server stopped: end it like the others.
      watchers.remove(watcher);
      watcher.complete();
      return;
    }
    watcher.schedule();
  }

  private void changed() {
    for (Watcher watcher : watchers) {
      watcher.schedule();
    }
  }

  /** Ends every stream with OK, so that proxies resubscribe elsewhere, and stops sending. */
  @Override
  public void close() {
    closed = true;
    publisher.removeListener(onChange);
    for (Watcher watcher : watchers) {
      watcher.complete();
    }
    watchers.clear();
    sender.shutdown();
  }

  private final class Watcher {
    private final String node;
    private final ServerCallStreamObserver<WatchRoutingTableResponse> observer;
    // Guarded by this.
    private boolean scheduled;
    private boolean closed;
    private long sentVersion;

    Watcher(String node, ServerCallStreamObserver<WatchRoutingTableResponse> observer) {
      this.node = node;
      this.observer = observer;
    }

    /** Arranges one send attempt; a pending attempt already covers newer versions. */
    void schedule() {
      synchronized (this) {
        if (scheduled || closed) {
          return;
        }
        scheduled = true;
      }
      try {
        sender.execute(this::send);
      } catch (RejectedExecutionException e) {
        // The manager is stopping; close() completes the stream.
      }
    }

    private void send() {
      synchronized (this) {
        scheduled = false;
        if (closed || observer.isCancelled()) {
          return;
        }
        RoutingTable table = publisher.current();
        if (table.getVersion() <= sentVersion || !observer.isReady()) {
          // Not ready: onReady schedules again and sends whatever is newest by then.
          return;
        }
        try {
          observer.onNext(
              WatchRoutingTableResponse.newBuilder()
                  .setTable(RoutingTablePublisher.localize(table, node))
                  .build());
          sentVersion = table.getVersion();
        } catch (RuntimeException e) {
          // The transport closed the call under us: stop watching; the proxy resubscribes.
          closed = true;
          watchers.remove(this);
          LOG.info("routing table watch of node \"{}\" ended: {}", node, e.toString());
        }
      }
    }

    void complete() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        try {
          if (!observer.isCancelled()) {
            observer.onCompleted();
          }
        } catch (RuntimeException e) {
          // Already cancelled or closed by the transport: nothing left to end.
        }
      }
    }
  }
}
