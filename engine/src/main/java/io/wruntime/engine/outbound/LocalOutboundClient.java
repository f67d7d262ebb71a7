package io.wruntime.engine.outbound;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.http.WrHeaders;
import io.wruntime.common.names.SemVer;
import io.wruntime.common.names.VersionRequirement;
import io.wruntime.engine.dispatch.Dispatcher;
import io.wruntime.engine.dispatch.HostedModule;
import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.IncomingResponse;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.OutgoingRequest;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.http.ResponseSink;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Outgoing requests of a standalone engine (no {@code [node]}): a call to {@code namespace.module}
 * of a module hosted here is dispatched in-process, through the same dispatcher and limits as
 * inbound traffic; the callee sees the headers a proxy would set ({@code x-wr-namespace}, {@code
 * x-wr-module}, {@code x-wr-version}, the caller's {@code traceparent}). The version is chosen as
 * the proxy chooses it: the highest loaded version that meets the caller's {@code x-wr-version}
 * requirement (a semver requirement, e.g. {@code ^1.2}; a bare version is exact), else the highest
 * loaded one. The request body is the caller's own stream; the response body streams back through a
 * {@link Pipe}.
 */
public final class LocalOutboundClient implements OutboundClient {
  private final Dispatcher dispatcher;
  private final long maxRequestBodyBytes;

  public LocalOutboundClient(Dispatcher dispatcher, long maxRequestBodyBytes) {
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
    if (maxRequestBodyBytes < 0) {
      throw new IllegalArgumentException(
          "maxRequestBodyBytes: " + maxRequestBodyBytes + " (expected: >= 0)");
    }
    this.maxRequestBodyBytes = maxRequestBodyBytes;
  }

  @Override
  public CompletableFuture<IncomingResponse> send(OutgoingRequest request) {
    requireNonNull(request, "request");
    CompletableFuture<IncomingResponse> future = new CompletableFuture<>();
    HostedModule target;
    long declared;
    try {
      target = resolve(request);
      declared = OutboundHeaders.contentLength(request.headers());
    } catch (OutboundException e) {
      request.body().discard();
      future.completeExceptionally(e);
      return future;
    } catch (IllegalArgumentException e) {
      request.body().discard();
      future.completeExceptionally(
          new OutboundException(HttpErrorCode.HTTP_REQUEST_DENIED, e.getMessage()));
      return future;
    }
    if (declared > maxRequestBodyBytes) {
      request.body().discard();
      future.completeExceptionally(
          new OutboundException(
              HttpErrorCode.HTTP_REQUEST_BODY_SIZE,
              "content-length "
                  + declared
                  + " is larger than max_outbound_body_bytes ("
                  + maxRequestBodyBytes
                  + " bytes)"));
      return future;
    }
    List<Field> headers = OutboundHeaders.fromModule(request.headers());
    List<Field> forwarded = new java.util.ArrayList<>(headers.size() + 5);
    forwarded.addAll(headers);
    if (declared >= 0) {
      forwarded.add(Field.of("content-length", Long.toString(declared)));
    }
    forwarded.add(Field.of(WrHeaders.NAMESPACE, target.namespace()));
    forwarded.add(Field.of(WrHeaders.MODULE, target.name()));
    forwarded.add(Field.of(WrHeaders.VERSION, target.version()));
    forwarded.add(
        Field.of(WrHeaders.TRACEPARENT, Traceparent.propagate(request.caller().traceparent())));
    LimitedBodySource body =
        new LimitedBodySource(
            request.body(),
            maxRequestBodyBytes,
            () ->
                future.completeExceptionally(
                    new OutboundException(
                        HttpErrorCode.HTTP_REQUEST_BODY_SIZE,
                        LimitedBodySource.message(maxRequestBodyBytes))));
    IncomingRequest incoming =
        new IncomingRequest(
            request.method(),
            request.scheme() == null ? "http" : request.scheme(),
            request.authority(),
            request.pathWithQuery(),
            forwarded,
            body);
    dispatcher.dispatch(target, incoming, new LocalResponse(future));
    return future;
  }

  private HostedModule resolve(OutgoingRequest request) {
    String authority = request.authority() == null ? "" : request.authority();
    String host = authority;
    int colon = host.lastIndexOf(':');
    if (colon >= 0 && host.indexOf(']') < colon) {
      host = host.substring(0, colon);
    }
    host = host.toLowerCase(Locale.ROOT);
    int dot = host.indexOf('.');
    if (dot <= 0 || dot == host.length() - 1 || host.indexOf('.', dot + 1) >= 0) {
      throw notHosted(authority);
    }
    String namespace = host.substring(0, dot);
    String name = host.substring(dot + 1);
    List<HostedModule> versions = dispatcher.registry().versions(namespace, name);
    if (versions.isEmpty()) {
      throw notHosted(authority);
    }
    String wanted = Field.first(request.headers(), WrHeaders.VERSION);
    if (wanted == null) {
      return versions.stream().filter(HostedModule::isReady).findFirst().orElse(versions.get(0));
    }
    VersionRequirement requirement;
    try {
      requirement = VersionRequirement.parse(wanted);
    } catch (IllegalArgumentException e) {
      throw new OutboundException(
          HttpErrorCode.HTTP_REQUEST_DENIED, WrHeaders.VERSION + ": " + e.getMessage());
    }
    // As the proxy does: the highest version meeting the requirement among those that serve. One
    // that failed to load is picked only when nothing else matches, so that the caller gets its 503
    // module_unavailable with the reason.
    for (List<HostedModule> candidates :
        List.of(versions.stream().filter(HostedModule::isReady).toList(), versions)) {
      Optional<SemVer> chosen =
          requirement.highestMatch(candidates.stream().map(HostedModule::semVer).toList());
      if (chosen.isPresent()) {
        return candidates.stream().filter(m -> m.semVer().equals(chosen.get())).findFirst().get();
      }
    }
    throw new OutboundException(
        HttpErrorCode.DESTINATION_NOT_FOUND,
        WrHeaders.VERSION
            + ": "
            + wanted
            + " of "
            + namespace
            + "."
            + name
            + " matches no version hosted by this engine (available: "
            + String.join(", ", versions.stream().map(HostedModule::version).toList())
            + ")");
  }

  private static OutboundException notHosted(String authority) {
    return new OutboundException(
        HttpErrorCode.DESTINATION_NOT_FOUND,
        "no proxy configured ([node] proxy_address) and "
            + authority
            + " is not hosted by this engine");
  }

  /** The callee's response, handed to the caller as soon as its head is set. */
  private static final class LocalResponse implements ResponseSink {
    private final CompletableFuture<IncomingResponse> future;
    private final ReentrantLock lock = new ReentrantLock();
    private Pipe pipe;

    LocalResponse(CompletableFuture<IncomingResponse> future) {
      this.future = future;
    }

    @Override
    public BodySink start(int status, List<Field> headers) throws IOException {
      Pipe started;
      lock.lock();
      try {
        if (pipe != null) {
          throw new IOException("the response was already started");
        }
        started = new Pipe();
        pipe = started;
      } finally {
        lock.unlock();
      }
      if (!future.complete(new IncomingResponse(status, headers, started.source()))) {
        // The caller gave up (cancelled, or its body was too large): nobody reads this body.
        started.discard();
      }
      return started.sink();
    }

    @Override
    public void fail(EngineError error) {
      Pipe started;
      lock.lock();
      try {
        started = pipe;
      } finally {
        lock.unlock();
      }
      if (started == null) {
        future.completeExceptionally(
            new OutboundException(HttpErrorCode.INTERNAL_ERROR, error.message()));
      } else {
        started.abort(error.message());
      }
    }

    @Override
    public boolean isStarted() {
      lock.lock();
      try {
        return pipe != null;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean clientClosed() {
      Pipe started;
      lock.lock();
      try {
        started = pipe;
      } finally {
        lock.unlock();
      }
      return future.isCancelled() || (started != null && started.isDiscarded());
    }
  }
}
