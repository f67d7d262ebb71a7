package io.wruntime.proxy.routing;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.wruntime.common.lifecycle.Backoff;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.WatchRoutingTableRequest;
import io.wruntime.proto.v1.WatchRoutingTableResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the routing table current: one {@code WatchRoutingTable} stream to the manager, opened
 * again with exponential backoff (with jitter) whenever it ends or fails. While the stream is down
 * the last table keeps serving. The first table of every stream is taken whatever its version (a
 * manager without a database starts again at 1); later ones only when newer.
 *
 * <p>Why incomplete tables are skipped: a manager that just started marks its tables incomplete
 * while engines re-register. Taking such a table would drop routes that still work, so a stream's
 * incomplete tables are skipped while this proxy holds a table that routes something; the stream's
 * first complete table (or any table, once one of the stream was taken) is then taken as usual.
 *
 * <p>Each change of state is one log line: the stream going down (with the status, once per
 * distinct reason, not once per attempt) and coming back; attempts in between log at debug.
 */
public final class RoutingTableWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingTableWatcher.class);

  /** First wait before resubscribing. */
  static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);

  /** Longest wait between attempts. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  private final ManagerServiceGrpc.ManagerServiceStub stub;
  private final String nodeName;
  private final ScheduledExecutorService scheduler;
  private final Consumer<RoutingTable> onTable;
  private final CountDownLatch first = new CountDownLatch(1);

  private volatile RoutingTable current = RoutingTable.empty();
  private volatile boolean closed;
  private volatile Context.CancellableContext call;
  private final Backoff backoff = new Backoff(INITIAL_BACKOFF, MAX_BACKOFF);
  private boolean everConnected;
  // Guarded by this: why the stream is down, null while it is up (or before the first failure).
  private String problem;

  /**
   * @param manager the channel to the manager
   * @param nodeName this node's name, so that the manager marks local routes
   * @param scheduler runs the resubscriptions
   * @param onTable called (on a gRPC thread) with each table taken
   */
  public RoutingTableWatcher(
      Channel manager,
      String nodeName,
      ScheduledExecutorService scheduler,
      Consumer<RoutingTable> onTable) {
    this.stub = ManagerServiceGrpc.newStub(requireNonNull(manager, "manager"));
    this.nodeName = requireNonNull(nodeName, "nodeName");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.onTable = requireNonNull(onTable, "onTable");
  }

  /** Opens the first stream. */
  public RoutingTableWatcher start() {
    subscribe();
    return this;
  }

  /** The table now in use; version 0 and empty before the first arrived. */
  public RoutingTable current() {
    return current;
  }

  /** Whether a table arrived (serving and readiness wait for it). */
  public boolean hasTable() {
    return first.getCount() == 0;
  }

  /** Waits for the first table; true when it arrived within {@code timeout}. */
  public boolean awaitFirst(Duration timeout) throws InterruptedException {
    return first.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void subscribe() {
    if (closed) {
      return;
    }
    Context.CancellableContext context = Context.current().withCancellation();
    call = context;
    context.run(
        () ->
            stub.watchRoutingTable(
                WatchRoutingTableRequest.newBuilder().setNode(nodeName).build(), new Observer()));
  }

  private final class Observer implements StreamObserver<WatchRoutingTableResponse> {
    // Whether no table of this stream was taken yet.
    private boolean fresh = true;
    private boolean loggedSkip;

    @Override
    public void onNext(WatchRoutingTableResponse response) {
      long version = response.getTable().getVersion();
      synchronized (RoutingTableWatcher.this) {
        backoff.reset();
        if (fresh && response.getTable().getIncomplete() && !current.isEmpty()) {
          if (!loggedSkip) {
            loggedSkip = true;
            LOG.info(
                "the manager's routing table (version {}) is incomplete while engines"
                    + " re-register: serving version {} until it is complete",
                version,
                current.version());
          }
          return;
        }
        if (!fresh && version <= current.version()) {
          return;
        }
        if (fresh && !everConnected) {
          LOG.info("routing table received from the manager (version {})", version);
        } else if (fresh) {
          LOG.info("routing table stream to the manager restored (version {})", version);
        }
        fresh = false;
        problem = null;
        everConnected = true;
        RoutingTable table = RoutingTable.from(response.getTable(), nodeName);
        current = table;
        onTable.accept(table);
        // bin/wr-benchmark propagation reads this line's timestamp: when the version took effect.
        LOG.debug("routing table version {} applied", version);
      }
      first.countDown();
    }

    @Override
    public void onError(Throwable t) {
      // Status.toString() would carry the cause's whole stack trace.
      Status status = Status.fromThrowable(t);
      retry(status.getCode().name(), describe(status));
    }

    @Override
    public void onCompleted() {
      retry("COMPLETED", "the manager ended the stream");
    }
  }

  /**
   * @param reason what kind of failure (a status code), so that a new kind logs again
   * @param why the failure for a log line, without a stack trace
   */
  private void retry(String reason, String why) {
    if (closed) {
      return;
    }
    boolean changed;
    synchronized (this) {
      changed = !reason.equals(problem);
      problem = reason;
    }
    long millis = backoff.next().toMillis();
    if (changed) {
      LOG.warn(
          "routing table stream to the manager is down ({}); retrying with backoff up to {} s,"
              + " serving version {}",
          why,
          MAX_BACKOFF.toSeconds(),
          current.version());
    } else {
      LOG.debug(
          "routing table stream to the manager still down ({}); retrying in {} ms", why, millis);
    }
    try {
      scheduler.schedule(this::subscribe, millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // the proxy is stopping
    }
  }

  private static String describe(Status status) {
    String description = status.getDescription();
    if (description != null && description.indexOf('\n') >= 0) {
      // gRPC appends the Netty pipeline on further lines to its "io exception"
      description = description.substring(0, description.indexOf('\n'));
    }
    Throwable cause = status.getCause();
    if (cause != null) {
      // the cause says why, e.g. the TLS handshake's refusal of a certificate
      description = description == null ? cause.toString() : description + ": " + cause;
      Throwable root = cause;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      if (root != cause) {
        // an SSLHandshakeException's own message may be as vague as "General OpenSslEngine problem"
        description += ": " + root;
      }
    }
    return status.getCode() + (description == null ? "" : ": " + description);
  }

  /** Ends the stream; no more resubscriptions. */
  @Override
  public void close() {
    closed = true;
    Context.CancellableContext c = call;
    if (c != null) {
      c.cancel(null);
    }
  }
}
