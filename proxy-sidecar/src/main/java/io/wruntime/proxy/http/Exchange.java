package io.wruntime.proxy.http;

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
import io.wruntime.common.names.RpcPath;
import io.wruntime.common.net.HostPort;
import io.wruntime.proxy.balance.LoadBalancer;
import io.wruntime.proxy.balance.LoadBalancer.Outcome;
import io.wruntime.proxy.routing.Resolution.Rejected;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request forwarded to one upstream, in stages: validation when asked for ({@link
 * ValidationStage}), connecting, then the request body streaming to the upstream while the response
 * streams back, each direction with its own state and each reading its next message only once the
 * previous one was written ({@code AUTO_READ} is off on both channels), so a slow side holds the
 * other back instead of filling memory. However it ends, it ends once, in {@link #finish}, with one
 * {@link Completion} that the circuit breaker, the metrics and the spans read. Both channels run on
 * the same event loop: everything here happens on that one thread.
 *
 * <p>Buffer ownership: every message that arrives here is either written on (the channel then owns
 * and releases it) or released here. Bodies are buffered only for validation, up to {@code
 * max_body_bytes}.
 */
final class Exchange implements ValidationStage.Listener {
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

  /** Where the request is. */
  private enum RequestState {
    /** The validation stage holds it. */
    VALIDATING,
    CONNECTING,
    /** Headers written upstream; the body follows as it arrives. */
    STREAMING,
    /** Written upstream to its last message. */
    SENT
  }

  /** Where the response is. */
  private enum ResponseState {
    /** No final response head yet (the response timer runs once the request is sent). */
    AWAITING,
    /** Head written to the client; the body follows as it arrives. */
    STREAMING,
    /** Its last message was read from the upstream and is being written. */
    LAST_READ,
    /** Written to the client to its last message. */
    WRITTEN
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
  private final ValidationStage validation;

  private RequestState requestState;
  private ResponseState responseState = ResponseState.AWAITING;
  private boolean finished;
  private Channel upstream;
  private UpstreamHandler upstreamHandler;
  private Span forwardSpan;
  private boolean skipInformationalEnd;
  private boolean upstreamKeepAlive = true;
  private int upstreamStatus;
  private long requestBytes;
  private long responseBytes;
  private ScheduledFuture<?> responseTimer;

  /** Whether {@link #connect} is still on the stack (the pooled connection came at once). */
  private boolean connectingInline;

  /** A message was written to the upstream or the client without a flush; one must follow. */
  private boolean upstreamUnflushed;

  private boolean downUnflushed;

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
    this.validation =
        validation == null ? null : new ValidationStage(validation, down, forwarding, this);
  }

  /** Begins: validation first when asked for, else connecting. */
  void start() {
    if (validation == null) {
      connect();
      return;
    }
    requestState = RequestState.VALIDATING;
    validation.start(request);
  }

  // ---- validation stage verdicts

  @Override
  public void passed() {
    connect();
  }

  @Override
  public void refused(Rejected rejected) {
    fail(rejected, Outcome.CANCELLED);
  }

  @Override
  public boolean isFinished() {
    return finished;
  }

  // ---- request direction

  /** Whether the next message of the request body is for this exchange. */
  boolean acceptsRequestBody() {
    if (finished) {
      return false;
    }
    return requestState == RequestState.STREAMING
        || (requestState == RequestState.VALIDATING && validation.isBuffering());
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
    switch (requestState) {
      case VALIDATING -> validation.onContent(content);
      case STREAMING -> writeRequestContent(content);
      default -> ReferenceCountUtil.release(content);
    }
  }

  private void connect() {
    requestState = RequestState.CONNECTING;
    connectingInline = true;
    try {
      // An idle pooled connection completes at once: onConnected runs inside this call.
      pool.acquire(down.channel().eventLoop(), target).addListener(this::onConnected);
    } finally {
      connectingInline = false;
    }
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
    requestState = RequestState.STREAMING;
    forwardSpan =
        forwarding
            .tracing()
            .startForward(requestSpan, request.headers(), source, destination, target.toString());
    ChannelFuture written = ch.write(request);
    boolean complete = false;
    List<HttpContent> buffered = validation == null ? null : validation.takeBody();
    if (buffered != null) {
      for (HttpContent c : buffered) {
        int n = c.content().readableBytes();
        requestBytes += n;
        written = ch.write(c);
        written.addListener(w -> forwarding.buffered().remove(n));
        complete |= c instanceof LastHttpContent;
      }
    }
    if (buffered == null) {
      // The body follows the head: its first message is read now, so that a body that came with
      // the head (the common small request) goes upstream in the same write; the head is flushed
      // alone only when nothing more has arrived yet.
      written.addListener(
          w -> {
            if (!finished && !w.isSuccess()) {
              ch.close(); // reported by onUpstreamClosed
            }
          });
      // Flushed with the body's first message, or at the end of the client's read that brought
      // the request (inline); after a new connection that read is over: flushed now then.
      upstreamUnflushed = true;
      boolean inline = connectingInline;
      down.read();
      if (!inline && upstreamUnflushed) {
        upstreamUnflushed = false;
        ch.flush();
      }
      ch.read();
      return;
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
    requestBytes += n;
    forwarding.buffered().add(n);
    Channel ch = upstream;
    upstreamUnflushed = false;
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
    requestState = RequestState.SENT;
    if (responseState == ResponseState.AWAITING) {
      Duration timeout = forwarding.timeouts().request();
      responseTimer =
          down.executor()
              .schedule(
                  () -> {
                    if (!finished && responseState == ResponseState.AWAITING) {
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

  // ---- response direction

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
    responseState = ResponseState.STREAMING;
    upstreamStatus = code;
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    ForwardHeaders.stripHopByHop(response.headers());
    // No x-wr-* header means anything on a response (the protocol sets none), and what a module or
    // an external host sets there must not pass for the mesh's own to whoever called.
    ForwardHeaders.stripWrHeaders(response.headers());
    frameForClient(response, code);
    down.write(response)
        .addListener(
            w -> {
              if (!finished && !w.isSuccess()) {
                abort("the client connection failed", Outcome.CANCELLED, 499);
              }
            });
    // The body's first message is read now, and the head flushed with it or, when nothing more
    // came in this read from the upstream, at its end (onUpstreamReadComplete): a small response
    // reaches the client in one write.
    downUnflushed = true;
    upstream.read();
  }

  /** The upstream's current read ended: what was written to the client unflushed goes out. */
  void onUpstreamReadComplete() {
    if (downUnflushed) {
      downUnflushed = false;
      down.flush();
    }
  }

  /** The client's current read ended: what was written upstream unflushed goes out. */
  void onDownstreamReadComplete() {
    if (upstreamUnflushed && upstream != null) {
      upstreamUnflushed = false;
      upstream.flush();
    }
  }

  /** Sets the framing and connection headers of {@code response} for this client. */
  private void frameForClient(HttpResponse response, int code) {
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
    if (responseState == ResponseState.AWAITING) {
      ReferenceCountUtil.release(content);
      upstream.read();
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (last) {
      responseState = ResponseState.LAST_READ;
    }
    int n = content.content().readableBytes();
    responseBytes += n;
    forwarding.buffered().add(n);
    if (!last && down.channel().isWritable()) {
      // Room on the client's side: the next message is read at once and this one flushed with it
      // or at the end of the upstream's read. Once the client's buffer passes its high-water mark,
      // each message waits for the previous one to be written (below).
      down.write(content)
          .addListener(
              w -> {
                forwarding.buffered().remove(n);
                if (!finished && !w.isSuccess()) {
                  abort("the client connection failed", Outcome.CANCELLED, 499);
                }
              });
      downUnflushed = true;
      upstream.read();
      return;
    }
    downUnflushed = false;
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
                responseState = ResponseState.WRITTEN;
                maybeComplete();
              } else {
                upstream.read();
              }
            });
  }

  private void maybeComplete() {
    if (responseState != ResponseState.WRITTEN || finished) {
      return;
    }
    Outcome outcome = forwarding.balancer().outcomeOf(upstreamStatus);
    // A response that came before the request was sent leaves the upstream connection mid-request.
    boolean sent = requestState == RequestState.SENT;
    finish(outcome, sent && upstreamKeepAlive, upstreamStatus, null, null);
    handler.exchangeEnded(this, keepAlive, null);
  }

  // ---- events from the channels

  /** The upstream connection closed. */
  void onUpstreamClosed() {
    upstreamKeepAlive = false;
    if (finished
        || responseState == ResponseState.LAST_READ
        || responseState == ResponseState.WRITTEN) {
      return; // a response that ends with the connection completes through its last write
    }
    if (responseState == ResponseState.AWAITING) {
      fail(
          new Rejected(
              502,
              "upstream_reset",
              target + " closed the connection before answering (expected: an HTTP response)"),
          Outcome.FAILURE);
    } else {
      abort(target + " closed the connection mid-response", Outcome.FAILURE, upstreamStatus);
    }
  }

  /** The upstream connection failed; its close follows. */
  void onUpstreamError(Throwable cause) {
    LOG.debug("upstream {} failed: {}", target, cause.toString());
  }

  /** The client's connection closed. */
  void onDownstreamClosed() {
    if (!finished) {
      finish(Outcome.CANCELLED, false, 499, null, "the client closed the connection");
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
    Outcome outcome = requestState == RequestState.SENT ? Outcome.FAILURE : Outcome.CANCELLED;
    if (responseState == ResponseState.AWAITING) {
      fail(new Rejected(504, "idle_timeout", why), outcome);
    } else {
      abort(why, outcome, upstreamStatus);
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
    if (responseState == ResponseState.AWAITING) {
      fail(new Rejected(502, "upstream_protocol_error", target + ": " + why), Outcome.FAILURE);
    } else {
      abort(target + ": " + why, Outcome.FAILURE, upstreamStatus);
    }
  }

  // ---- the one end

  /** Ends the exchange with the proxy's own error answer; only before the response started. */
  private void fail(Rejected rejected, Outcome outcome) {
    finish(outcome, false, rejected.status(), rejected.code(), rejected.message());
    ChannelFuture written =
        down.writeAndFlush(ErrorResponses.of(down.alloc(), rejected, keepAlive, null));
    handler.exchangeEnded(this, keepAlive, written);
  }

  /** Ends the exchange by closing the client's connection (the response already started). */
  private void abort(String why, Outcome outcome, int answeredStatus) {
    LOG.debug("{} -> {} via {} aborted: {}", source, destination, target, why);
    finish(outcome, false, answeredStatus, null, why);
    if (downUnflushed) {
      downUnflushed = false;
      down.flush(); // the response head read before the failure
    }
    down.close();
  }

  /**
   * Ends the exchange exactly once: frees what it holds, returns or closes the upstream connection,
   * and hands the one {@link Completion} to its observers.
   */
  private void finish(
      Outcome outcome, boolean reuseUpstream, int answeredStatus, String errorCode, String error) {
    finished = true;
    cancelTimer();
    if (validation != null) {
      validation.release();
    }
    if (upstream != null) {
      upstreamHandler.attach(null);
      if (reuseUpstream) {
        pool.release(upstream, target);
      } else {
        upstream.close();
      }
    }
    Completion completion =
        new Completion(
            source,
            destination,
            target.toString(),
            outcome,
            answeredStatus,
            upstreamStatus,
            errorCode,
            error,
            System.nanoTime() - startNanos,
            requestBytes,
            responseBytes);
    ExchangeObservers.completed(completion, choice, forwarding.metrics(), requestSpan, forwardSpan);
  }

  private void cancelTimer() {
    if (responseTimer != null) {
      responseTimer.cancel(false);
      responseTimer = null;
    }
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
