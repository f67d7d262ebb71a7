package io.wruntime.proxy.http;

import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.wruntime.proxy.routing.Resolution.Rejected;
import io.wruntime.proxy.validation.RequestValidator;
import io.wruntime.proxy.validation.SchemaIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stage of an exchange whose protobuf request is checked before it is forwarded: fetch
 * the schema, buffer the body (up to {@code max_body_bytes}), check it against the method. It ends
 * in {@link Listener#passed} (with the buffered body, or none when there is no schema to check
 * against) or {@link Listener#refused}. Runs on the exchange's event loop.
 *
 * <p>Buffer ownership: buffered messages are this stage's until {@link #takeBody} hands them on or
 * {@link #release} frees them.
 */
final class ValidationStage {
  private static final Logger LOG = LoggerFactory.getLogger(ValidationStage.class);

  /** Where the stage's verdict goes. */
  interface Listener {
    /** Forward the request; {@link #takeBody} holds what was read of the body. */
    void passed();

    /** Answer {@code rejected} without forwarding. */
    void refused(Rejected rejected);

    /** Whether the exchange already ended (the stage then stops). */
    boolean isFinished();
  }

  private enum State {
    SCHEMA,
    BUFFERING,
    DONE
  }

  private final Exchange.Validation validation;
  private final ChannelHandlerContext down;
  private final Forwarding forwarding;
  private final Listener listener;
  private State state = State.SCHEMA;
  private SchemaIndex schema;
  private List<HttpContent> body;
  private long bodyBytes;

  ValidationStage(
      Exchange.Validation validation,
      ChannelHandlerContext down,
      Forwarding forwarding,
      Listener listener) {
    this.validation = validation;
    this.down = down;
    this.forwarding = forwarding;
    this.listener = listener;
  }

  /** Checks the declared length, then fetches the schema. */
  void start(HttpRequest request) {
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > validation.maxBodyBytes()) {
      refuse(tooLarge(declared + " bytes"));
      return;
    }
    forwarding
        .schemas()
        .get(validation.namespace(), validation.module(), validation.version())
        .whenComplete((found, error) -> down.executor().execute(() -> onSchema(found, error)));
  }

  private void onSchema(Optional<SchemaIndex> found, Throwable error) {
    if (listener.isFinished()) {
      return;
    }
    if (error != null) {
      LOG.warn(
          "schema of {} could not be fetched from the manager, forwarding unvalidated: {}",
          validation.name(),
          error.toString());
      pass();
      return;
    }
    if (found.isEmpty()) {
      pass();
      return;
    }
    Rejected unknown =
        RequestValidator.unknownMethod(found.get(), validation.path(), validation.name());
    if (unknown != null) {
      refuse(unknown);
      return;
    }
    schema = found.get();
    state = State.BUFFERING;
    body = new ArrayList<>();
    down.read();
  }

  /** Whether the stage reads the request body now. */
  boolean isBuffering() {
    return state == State.BUFFERING;
  }

  /** One message of the request body (ownership passes here). */
  void onContent(HttpContent content) {
    if (state != State.BUFFERING) {
      ReferenceCountUtil.release(content);
      return;
    }
    int n = content.content().readableBytes();
    body.add(content);
    bodyBytes += n;
    forwarding.buffered().add(n);
    if (bodyBytes > validation.maxBodyBytes()) {
      refuse(tooLarge("more than " + validation.maxBodyBytes() + " bytes"));
      return;
    }
    if (!(content instanceof LastHttpContent)) {
      down.read();
      return;
    }
    CompositeByteBuf whole = down.alloc().compositeBuffer(Math.max(1, body.size()));
    try {
      for (HttpContent c : body) {
        whole.addComponent(true, c.content().retainedDuplicate());
      }
      Rejected invalid =
          RequestValidator.body(
              schema.method(validation.path().service(), validation.path().method()), whole);
      if (invalid != null) {
        refuse(invalid);
        return;
      }
    } finally {
      whole.release();
    }
    pass();
  }

  /**
   * The buffered body, handed on (its bytes still counted as buffered until written); null when
   * nothing was buffered.
   */
  List<HttpContent> takeBody() {
    List<HttpContent> taken = body;
    body = null;
    return taken;
  }

  /** Frees what is still buffered. */
  void release() {
    state = State.DONE;
    if (body != null) {
      for (HttpContent c : body) {
        forwarding.buffered().remove(c.content().readableBytes());
        c.release();
      }
      body = null;
    }
  }

  private void pass() {
    state = State.DONE;
    listener.passed();
  }

  private void refuse(Rejected rejected) {
    state = State.DONE;
    listener.refused(rejected);
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
}
