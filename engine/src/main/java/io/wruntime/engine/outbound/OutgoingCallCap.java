package io.wruntime.engine.outbound;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.ForwardingBodySource;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingResponse;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.OutgoingRequest;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the outgoing calls of one request ({@code [limits] outgoing_calls} in flight at once, {@code
 * outgoing_calls_total} over its life), so that a module fanning out cannot exhaust the file
 * descriptors of its engine and proxy. A call is in flight from {@code outgoing-handler.handle}
 * until it failed, or its response body was read to the end, failed or was dropped. A call beyond a
 * cap fails at once: {@code connection-limit-reached} while too many are in flight (the module may
 * wait for one to end), {@code HTTP-request-denied} once the total is used up. Each cap a request
 * reaches is logged once, with the module and the cap.
 */
public final class OutgoingCallCap implements OutboundClient, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutgoingCallCap.class);

  private final OutboundClient delegate;
  private final int maxInFlight;
  private final int maxTotal;

  /**
   * @param maxInFlight {@code [limits] outgoing_calls}
   * @param maxTotal {@code [limits] outgoing_calls_total}, at least {@code maxInFlight}
   */
  public OutgoingCallCap(OutboundClient delegate, int maxInFlight, int maxTotal) {
    this.delegate = requireNonNull(delegate, "delegate");
    if (maxInFlight < 1 || maxTotal < maxInFlight) {
      throw new IllegalArgumentException(
          "maxInFlight: "
              + maxInFlight
              + ", maxTotal: "
              + maxTotal
              + " (expected: 1 <= maxInFlight <= maxTotal)");
    }
    this.maxInFlight = maxInFlight;
    this.maxTotal = maxTotal;
  }

  /** Counts against a budget of its own: one call, as if from a request of its own. */
  @Override
  public CompletableFuture<IncomingResponse> send(OutgoingRequest request) {
    return forRequest().send(request);
  }

  @Override
  public OutboundClient forRequest() {
    return new RequestCalls();
  }

  @Override
  public void close() throws Exception {
    if (delegate instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  /** The calls of one request. {@code send} runs on the request's thread; releases anywhere. */
  private final class RequestCalls implements OutboundClient {
    private final AtomicInteger inFlight = new AtomicInteger();
    private int started;
    private boolean inFlightLogged;
    private boolean totalLogged;

    @Override
    public CompletableFuture<IncomingResponse> send(OutgoingRequest request) {
      requireNonNull(request, "request");
      String module = label(request.caller());
      if (started >= maxTotal) {
        if (!totalLogged) {
          totalLogged = true;
          LOG.warn(
              "{}: a request (trace {}) made {} outgoing calls, the most [limits]"
                  + " outgoing_calls_total = {} allows; its further calls fail with"
                  + " HTTP-request-denied",
              module,
              traceId(request.caller()),
              started,
              maxTotal);
        }
        throw new OutboundException(
            HttpErrorCode.HTTP_REQUEST_DENIED,
            module
                + " made "
                + started
                + " outgoing calls for this request, the most [limits] outgoing_calls_total = "
                + maxTotal
                + " allows");
      }
      int now = inFlight.incrementAndGet();
      if (now > maxInFlight) {
        inFlight.decrementAndGet();
        if (!inFlightLogged) {
          inFlightLogged = true;
          LOG.warn(
              "{}: a request (trace {}) has {} outgoing calls in flight, the most [limits]"
                  + " outgoing_calls = {} allows; its further calls fail with"
                  + " connection-limit-reached until one ends",
              module,
              traceId(request.caller()),
              maxInFlight,
              maxInFlight);
        }
        throw new OutboundException(
            HttpErrorCode.CONNECTION_LIMIT_REACHED,
            module
                + " has "
                + maxInFlight
                + " outgoing calls in flight for this request, the most [limits] outgoing_calls"
                + " allows (expected: wait for a response to end before the next call)");
      }
      started++;
      AtomicBoolean released = new AtomicBoolean();
      Runnable release =
          () -> {
            if (released.compareAndSet(false, true)) {
              inFlight.decrementAndGet();
            }
          };
      CompletableFuture<IncomingResponse> sent;
      try {
        sent = delegate.send(request);
      } catch (RuntimeException e) {
        release.run();
        throw e;
      }
      CompletableFuture<IncomingResponse> counted = new CompletableFuture<>();
      sent.whenComplete(
          (response, failure) -> {
            if (failure != null) {
              release.run();
              counted.completeExceptionally(failure);
              return;
            }
            IncomingResponse tracked =
                new IncomingResponse(
                    response.status(),
                    response.headers(),
                    new ReleasingBody(response.body(), release));
            if (!counted.complete(tracked)) {
              tracked.body().discard();
            }
          });
      // The module dropping its future cancels the call itself.
      counted.whenComplete(
          (response, failure) -> {
            if (counted.isCancelled()) {
              sent.cancel(true);
            }
          });
      return counted;
    }
  }

  private static String label(OutgoingRequest.Caller caller) {
    return caller.namespace() + "." + caller.module() + "@" + caller.version();
  }

  private static String traceId(OutgoingRequest.Caller caller) {
    String id = Traceparent.traceId(caller.traceparent());
    return id == null ? "-" : id;
  }

  /** A response body that ends the call's slot once read to its end, failed or discarded. */
  private static final class ReleasingBody extends ForwardingBodySource {
    private final Runnable release;

    ReleasingBody(BodySource delegate, Runnable release) {
      super(delegate);
      this.release = release;
    }

    @Override
    public byte[] read(int max) throws IOException {
      byte[] data;
      try {
        data = delegate.read(max);
      } catch (IOException | RuntimeException e) {
        release.run();
        throw e;
      }
      if (data == null) {
        release.run();
      }
      return data;
    }

    @Override
    public void discard() {
      try {
        delegate.discard();
      } finally {
        release.run();
      }
    }
  }
}
