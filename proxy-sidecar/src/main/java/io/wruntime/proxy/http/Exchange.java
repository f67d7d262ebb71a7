package io.wruntime.proxy.http;

import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.opentelemetry.api.trace.Span;
import io.wruntime.common.net.HostPort;
import io.wruntime.proxy.balance.LoadBalancer;
import io.wruntime.proxy.balance.LoadBalancer.Outcome;
import io.wruntime.proxy.routing.Resolution.Rejected;
import io.wruntime.proxy.telemetry.ProxyTracing;
import io.wruntime.proxy.validation.RequestValidator;
import io.wruntime.proxy.validation.RequestValidator.RpcPath;
import io.wruntime.proxy.validation.SchemaIndex;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request forwarded to one upstream: the request body streams from the client to the upstream
 * and the response streams back, each direction reading its next message only once the previous one
 * was written ({@code AUTO_READ} is off on both channels), so a slow side holds the other back
 * instead of filling memory. Both channels run on the same event loop: everything here happens on
 * that one thread.
 *
 * <p>Buffer ownership: every message that arrives here is either written on (the channel then owns
 * and releases it) or released here. Bodies are buffered only for validation, up to {@code
 * max_body_bytes}.
 */
final class Exchange {
  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

  /**
   * A protobuf request to check before it is forwarded.
   *
   * @param module {@code namespace.module@version}, for messages
   */
  record Validation(
      String namespace, String module, String version, RpcPath path, long maxBodyBytes) {
    String name() {
      return namespace + "." + module + "@" + version;
    }
  }

  private enum State {
    SCHEMA,
    BUFFERING,
    CONNECTING,
    STREAMING,
    DONE
  }

  private final ProxyHandler handler;
  private final ChannelHandlerContext down;
  private final Forwarding forwarding;
  private final Upstreams pool;
  private final HttpRequest request;
  private final boolean http10;
  private boolean keepAlive;
  private final LoadBalancer.Chosen choice;
  private final HostPort target;
  private final String source;
  private final String destination;
  private final Span requestSpan;
  private final long startNanos;
  private final Validation validation;

  private State state;
  private Channel upstream;
  private UpstreamHandler upstreamHandler;
  private Span forwardSpan;
  private List<HttpContent> bufferedBody;
  private long bufferedBodyBytes;
  private SchemaIndex schema;
  private boolean requestDone;
  private boolean responseStarted;
  private boolean responseEndSeen;
  private boolean responseDone;
  private boolean skipInformationalEnd;
  private boolean upstreamKeepAlive = true;
  private int status;
  private ScheduledFuture<?> responseTimer;
  private boolean finished;

  /**
   * @param request the request with its headers already rewritten for the upstream
   * @param http10 whether the client spoke HTTP/1.0, which cannot read a chunked body
   * @param keepAlive whether the client's connection stays open after this exchange
   * @param choice the chosen instance, or null for egress
   * @param target where the request goes
   * @param validation the check to run before forwarding, or null
   */
  Exchange(
      ProxyHandler handler,
      ChannelHandlerContext down,
      Forwarding forwarding,
      Upstreams pool,
      HttpRequest request,
      boolean http10,
      boolean keepAlive,
      LoadBalancer.Chosen choice,
      HostPort target,
      String source,
      String destination,
      Span requestSpan,
      long startNanos,
      Validation validation) {
    this.handler = handler;
    this.down = down;
    this.forwarding = forwarding;
    this.pool = pool;
    this.request = request;
    this.http10 = http10;
    this.keepAlive = keepAlive;
    this.choice = choice;
    this.target = target;
    this.source = source;
    this.destination = destination;
    this.requestSpan = requestSpan;
    this.startNanos = startNanos;
    this.validation = validation;
  }

  /** Begins: validation first when asked for, else connecting. */
  void start() {
    if (validation == null) {
      connect();
      return;
    }
    state = State.SCHEMA;
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > validation.maxBodyBytes()) {
      reject(tooLarge(declared + " bytes"));
      return;
    }
    forwarding
        .schemas()
        .get(validation.namespace(), validation.module(), validation.version())
        .whenComplete((found, error) -> down.executor().execute(() -> onSchema(found, error)));
  }

  private void onSchema(Optional<SchemaIndex> found, Throwable error) {
    if (finished) {
      return;
    }
    if (error != null) {
      LOG.warn(
          "schema of {} could not be fetched from the manager, forwarding unvalidated: {}",
          validation.name(),
          error.toString());
      connect();
      return;
    }
    if (found.isEmpty()) {
      connect();
      return;
    }
    Rejected unknown =
        RequestValidator.unknownMethod(found.get(), validation.path(), validation.name());
    if (unknown != null) {
      reject(unknown);
      return;
    }
    schema = found.get();
    state = State.BUFFERING;
    bufferedBody = new ArrayList<>();
    down.read();
  }

  /** Whether the next message of the request body is for this exchange. */
  boolean acceptsRequestBody() {
    return !finished && (state == State.BUFFERING || state == State.STREAMING) && !requestDone;
  }

  /** One message of the request body (ownership passes here). */
  void onRequestContent(HttpContent content) {
    if (content.decoderResult().isFailure()) {
      ReferenceCountUtil.release(content);
      abort(
          "the request body is malformed: " + content.decoderResult().cause(),
          Outcome.CANCELLED,
          400);
      return;
    }
    if (state == State.BUFFERING) {
      buffer(content);
    } else if (state == State.STREAMING) {
      writeRequestContent(content);
    } else {
      ReferenceCountUtil.release(content);
    }
  }

  private void buffer(HttpContent content) {
    int n = content.content().readableBytes();
    bufferedBody.add(content);
    bufferedBodyBytes += n;
    forwarding.buffered().add(n);
    if (bufferedBodyBytes > validation.maxBodyBytes()) {
      reject(tooLarge("more than " + validation.maxBodyBytes() + " bytes"));
      return;
    }
    if (!(content instanceof LastHttpContent)) {
      down.read();
      return;
    }
    CompositeByteBuf body = down.alloc().compositeBuffer(Math.max(1, bufferedBody.size()));
    try {
      for (HttpContent c : bufferedBody) {
        body.addComponent(true, c.content().retainedDuplicate());
      }
      Rejected invalid =
          RequestValidator.body(
              schema.method(validation.path().service(), validation.path().method()), body);
      if (invalid != null) {
        reject(invalid);
        return;
      }
    } finally {
      body.release();
    }
    connect();
  }

  private Rejected tooLarge(String size) {
    return new Rejected(
        413,
        "body_too_large",
        "the body of "
            + validation.path()
            + " to "
            + validation.name()
            + " has "
            + size
            + " (expected: at most max_body_bytes = "
            + validation.maxBodyBytes()
            + " for a validated protobuf request)",
        Map.of("max_body_bytes", validation.maxBodyBytes()));
  }

  private void connect() {
    state = State.CONNECTING;
    pool.acquire(down.channel().eventLoop(), target).addListener(this::onConnected);
  }

  private void onConnected(Future<? super Channel> f) {
    if (!f.isSuccess()) {
      if (!finished) {
        connectFailed(f.cause());
      }
      return;
    }
    Channel ch = (Channel) f.getNow();
    if (finished) {
      pool.release(ch, target); // the client went away while connecting: the connection is clean
      return;
    }
    upstream = ch;
    upstreamHandler = ch.pipeline().get(UpstreamHandler.class);
    upstreamHandler.attach(this);
    state = State.STREAMING;
    forwardSpan =
        forwarding
            .tracing()
            .startForward(requestSpan, request.headers(), source, destination, target.toString());
    ChannelFuture written = ch.write(request);
    boolean complete = false;
    if (bufferedBody != null) {
      for (HttpContent c : bufferedBody) {
        int n = c.content().readableBytes();
        written = ch.write(c);
        written.addListener(w -> forwarding.buffered().remove(n));
        complete |= c instanceof LastHttpContent;
      }
      bufferedBody = null;
    }
    ch.flush();
    boolean bodyComplete = complete;
    written.addListener(
        w -> {
          if (finished) {
            return;
          }
          if (!w.isSuccess()) {
            ch.close(); // reported by onUpstreamClosed
            return;
          }
          if (bodyComplete) {
            requestSent();
          } else {
            down.read();
          }
        });
    ch.read();
  }

  private void writeRequestContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    int n = content.content().readableBytes();
    forwarding.buffered().add(n);
    Channel ch = upstream;
    ch.writeAndFlush(content)
        .addListener(
            w -> {
              forwarding.buffered().remove(n);
              if (finished) {
                return;
              }
              if (!w.isSuccess()) {
                ch.close(); // reported by onUpstreamClosed
                return;
              }
              if (last) {
                requestSent();
              } else {
                down.read();
              }
            });
  }

  private void requestSent() {
    requestDone = true;
    if (!responseStarted) {
      Duration timeout = forwarding.timeouts().request();
      responseTimer =
          down.executor()
              .schedule(
                  () -> {
                    if (!finished && !responseStarted) {
                      fail(
                          new Rejected(
                              504,
                              "upstream_timeout",
                              target
                                  + " did not answer within "
                                  + timeout.toSeconds()
                                  + " s (expected: response headers within [timeouts]"
                                  + " request_secs)"),
                          Outcome.FAILURE);
                    }
                  },
                  timeout.toMillis(),
                  TimeUnit.MILLISECONDS);
    }
    maybeComplete();
  }

  /** A message from the upstream (ownership passes here). */
  void onUpstreamMessage(Object msg) {
    if (finished) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse response) {
      onResponseHead(response);
      if (!(msg instanceof HttpContent)) {
        return;
      }
    }
    if (msg instanceof HttpContent content) {
      onResponseContent(content);
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  private void onResponseHead(HttpResponse response) {
    if (response.decoderResult().isFailure()) {
      ReferenceCountUtil.release(response);
      upstreamBroken("its response is malformed: " + response.decoderResult().cause());
      return;
    }
    int code = response.status().code();
    if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL && code != 101) {
      // 100 Continue and friends: the client got its own 100 from this proxy; skip them.
      skipInformationalEnd = true;
      ReferenceCountUtil.release(response);
      upstream.read();
      return;
    }
    cancelTimer();
    responseStarted = true;
    status = code;
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    ForwardHeaders.stripHopByHop(response.headers());
    // No x-wr-* header means anything on a response (the protocol sets none), and what a module or
    // an external host sets there must not pass for the mesh's own to whoever called.
    ForwardHeaders.stripWrHeaders(response.headers());
    if (http10) {
      if (!HttpUtil.isContentLengthSet(response) && mayHaveBody(code)) {
        // An HTTP/1.0 client cannot read chunks: the body goes unframed and ends with the
        // connection (the encoder writes content as is without transfer-encoding).
        response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        keepAlive = false;
      }
      // HTTP/1.0 closes unless told otherwise: say keep-alive explicitly.
      response
          .headers()
          .set(
              HttpHeaderNames.CONNECTION,
              keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    } else {
      if (!HttpUtil.isContentLengthSet(response)
          && !HttpUtil.isTransferEncodingChunked(response)
          && mayHaveBody(code)) {
        // A body that ends when the upstream closes: chunk it, so the client's connection lives
        // on.
        HttpUtil.setTransferEncodingChunked(response, true);
      }
      HttpUtil.setKeepAlive(response, keepAlive);
    }
    down.writeAndFlush(response)
        .addListener(
            w -> {
              if (finished) {
                return;
              }
              if (!w.isSuccess()) {
                abort("the client connection failed", Outcome.CANCELLED, 499);
              } else if (!responseEndSeen) {
                upstream.read();
              }
            });
  }

  private boolean mayHaveBody(int code) {
    return !request.method().equals(HttpMethod.HEAD)
        && code != 204
        && code != 304
        && !(code >= 100 && code < 200);
  }

  private void onResponseContent(HttpContent content) {
    if (skipInformationalEnd) {
      skipInformationalEnd = false;
      ReferenceCountUtil.release(content);
      upstream.read();
      return;
    }
    if (content.decoderResult().isFailure()) {
      ReferenceCountUtil.release(content);
      upstreamBroken("its response body is malformed: " + content.decoderResult().cause());
      return;
    }
    if (!responseStarted) {
      ReferenceCountUtil.release(content);
      upstream.read();
      return;
    }
    boolean last = content instanceof LastHttpContent;
    responseEndSeen |= last;
    int n = content.content().readableBytes();
    forwarding.buffered().add(n);
    down.writeAndFlush(content)
        .addListener(
            w -> {
              forwarding.buffered().remove(n);
              if (finished) {
                return;
              }
              if (!w.isSuccess()) {
                abort("the client connection failed", Outcome.CANCELLED, 499);
              } else if (last) {
                responseDone = true;
                maybeComplete();
              } else {
                upstream.read();
              }
            });
  }

  private void maybeComplete() {
    if (!responseDone || finished) {
      return;
    }
    Outcome outcome = forwarding.balancer().outcomeOf(status);
    // A response that came before the request was sent leaves the upstream connection mid-request.
    finish(outcome, requestDone && upstreamKeepAlive, status, null);
    handler.exchangeEnded(this, keepAlive, null);
  }

  /** The upstream connection closed. */
  void onUpstreamClosed() {
    upstreamKeepAlive = false;
    if (finished || responseEndSeen) {
      return; // a response that ends with the connection completes through its last write
    }
    if (!responseStarted) {
      fail(
          new Rejected(
              502,
              "upstream_reset",
              target + " closed the connection before answering (expected: an HTTP response)"),
          Outcome.FAILURE);
    } else {
      abort(target + " closed the connection mid-response", Outcome.FAILURE, status);
    }
  }

  /** The upstream connection failed; its close follows. */
  void onUpstreamError(Throwable cause) {
    LOG.debug("upstream {} failed: {}", target, cause.toString());
  }

  /** The client's connection closed. */
  void onDownstreamClosed() {
    if (!finished) {
      finish(Outcome.CANCELLED, false, 499, "the client closed the connection");
    }
  }

  /** The client's connection saw no traffic for the idle timeout. */
  void onIdle() {
    if (finished) {
      return;
    }
    String why =
        "no traffic for "
            + forwarding.timeouts().idle().toSeconds()
            + " s (expected: at most [timeouts] idle_secs between messages)";
    Outcome outcome = requestDone ? Outcome.FAILURE : Outcome.CANCELLED;
    if (!responseStarted) {
      fail(new Rejected(504, "idle_timeout", why), outcome);
    } else {
      abort(why, outcome, status);
    }
  }

  private void connectFailed(Throwable cause) {
    Rejected rejected;
    if (cause instanceof ConnectTimeoutException) {
      rejected =
          new Rejected(
              504,
              "upstream_connect_timeout",
              "connecting to "
                  + target
                  + " took longer than "
                  + forwarding.timeouts().connect().toMillis()
                  + " ms (expected: a connection within [timeouts] connect_ms)");
    } else if (cause instanceof UnknownHostException) {
      rejected =
          new Rejected(
              502,
              "upstream_unresolvable",
              target.host() + " cannot be resolved: " + cause.getMessage());
    } else {
      rejected =
          new Rejected(
              502,
              "upstream_unavailable",
              "cannot connect to " + target + ": " + cause.getMessage());
    }
    fail(rejected, Outcome.FAILURE);
  }

  private void upstreamBroken(String why) {
    if (!responseStarted) {
      fail(new Rejected(502, "upstream_protocol_error", target + ": " + why), Outcome.FAILURE);
    } else {
      abort(target + ": " + why, Outcome.FAILURE, status);
    }
  }

  /** Refuses the request before it reached any upstream (validation). */
  private void reject(Rejected rejected) {
    fail(rejected, Outcome.CANCELLED);
  }

  /** Ends the exchange with the proxy's own error answer; only before the response started. */
  private void fail(Rejected rejected, Outcome outcome) {
    finish(outcome, false, rejected.status(), rejected.message());
    ChannelFuture written =
        down.writeAndFlush(ErrorResponses.of(down.alloc(), rejected, keepAlive, null));
    handler.exchangeEnded(this, keepAlive, written);
  }

  /** Ends the exchange by closing the client's connection (the response already started). */
  private void abort(String why, Outcome outcome, int recordedStatus) {
    LOG.debug("{} -> {} via {} aborted: {}", source, destination, target, why);
    finish(outcome, false, recordedStatus, why);
    down.close();
  }

  private void finish(Outcome outcome, boolean reuseUpstream, int recordedStatus, String error) {
    finished = true;
    state = State.DONE;
    cancelTimer();
    if (bufferedBody != null) {
      for (HttpContent c : bufferedBody) {
        forwarding.buffered().remove(c.content().readableBytes());
        c.release();
      }
      bufferedBody = null;
    }
    if (upstream != null) {
      upstreamHandler.attach(null);
      if (reuseUpstream) {
        pool.release(upstream, target);
      } else {
        upstream.close();
      }
    }
    if (choice != null) {
      choice.finish(outcome);
    }
    forwarding
        .metrics()
        .record(source, destination, recordedStatus, System.nanoTime() - startNanos);
    ProxyTracing.end(forwardSpan, status, error);
    ProxyTracing.end(requestSpan, recordedStatus, error);
  }

  private void cancelTimer() {
    if (responseTimer != null) {
      responseTimer.cancel(false);
      responseTimer = null;
    }
  }

  /** Whether the exchange is over (its response written, failed or abandoned). */
  boolean isFinished() {
    return finished;
  }

  @Override
  public String toString() {
    return request.method()
        + " "
        + request.uri()
        + " -> "
        + target
        + " ("
        + request.headers().get(HttpHeaderNames.HOST)
        + ")";
  }
}
