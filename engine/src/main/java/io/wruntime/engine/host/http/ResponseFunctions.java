package io.wruntime.engine.host.http;

import static io.wruntime.engine.host.http.HttpAbi.u32;

import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.io.PollableResource;
import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code wasi:http/types}: {@code response-outparam}, {@code outgoing-response}, {@code
 * future-incoming-response} and {@code incoming-response}.
 */
final class ResponseFunctions {
  static final String OUTPARAM = "wasi:http/types.response-outparam";
  static final String OUTGOING = "wasi:http/types.outgoing-response";
  static final String FUTURE = "wasi:http/types.future-incoming-response";
  static final String INCOMING = "wasi:http/types.incoming-response";

  /** Stable code of the engine error sent when the module answers with an error-code. */
  static final String MODULE_ERROR = "MODULE_ERROR";

  /** Stable code of the engine error sent when the module's response body failed before set. */
  static final String MODULE_BODY_FAILED = "MODULE_BODY_FAILED";

  /**
   * Size of {@code option<result<result<own<T>, error-code>, ()>>}: tags at 0, 8 and 16, the handle
   * or the error-code at 24; aligned to 8.
   */
  static final int FUTURE_RESULT_SIZE = 56;

  private static final Logger LOG = LoggerFactory.getLogger(ResponseFunctions.class);
  private static final long[] NONE = new long[0];

  private ResponseFunctions() {}

  static void register(FunctionTable t) {
    // (param: own<response-outparam>, response: result<own<outgoing-response>, error-code>)
    // flat (param, tag, [handle | error-code tag], payload i32, payload i64, payload i32 x4)
    t.add("[static]response-outparam.set", "iiiiIiiii", "", ResponseFunctions::set);
    t.drop("response-outparam", ResponseOutparamResource.class, OUTPARAM);
    registerOutgoing(t);
    registerFuture(t);
    registerIncoming(t);
  }

  private static void registerOutgoing(FunctionTable t) {
    // (headers: own<headers>) -> own<outgoing-response>
    t.add(
        "[constructor]outgoing-response",
        "i",
        "i",
        (ctx, a) ->
            new long[] {
              ctx.resources().add(new OutgoingResponseResource(FieldsFunctions.take(ctx, a[0])))
            });
    // (self) -> status-code (u16)
    t.add(
        "[method]outgoing-response.status-code",
        "i",
        "i",
        (ctx, a) -> new long[] {outgoing(ctx, a[0]).status()});
    // (self, status-code) -> result; flat (self, u16) -> i32 tag. 200..999 accepted: a 1xx cannot
    // be a final response
    t.add(
        "[method]outgoing-response.set-status-code",
        "ii",
        "i",
        (ctx, a) -> {
          OutgoingResponseResource r = outgoing(ctx, a[0]);
          int status = (int) (a[1] & 0xFFFF);
          if (status < 200 || status > 999) {
            return new long[] {1};
          }
          r.status(status);
          return new long[] {0};
        });
    // (self) -> own<headers>: an immutable copy
    t.add(
        "[method]outgoing-response.headers",
        "i",
        "i",
        (ctx, a) ->
            new long[] {
              ctx.resources().add(FieldsResource.immutableOf(outgoing(ctx, a[0]).headers()))
            });
    // (self) -> result<own<outgoing-body>, ()>; flat (self, ret); ret: 8 bytes: tag @0, handle @4
    t.add(
        "[method]outgoing-response.body",
        "ii",
        "",
        (ctx, a) -> {
          OutgoingResponseResource r = outgoing(ctx, a[0]);
          HttpAbi.writeResultOwn(ctx, u32(a[1]), () -> r.takeBody(OutgoingBodySink::forResponse));
          return NONE;
        });
    t.drop("outgoing-response", OutgoingResponseResource.class, OUTGOING);
  }

  private static void registerFuture(FunctionTable t) {
    // (self) -> own<pollable>
    t.add(
        "[method]future-incoming-response.subscribe",
        "i",
        "i",
        (ctx, a) -> {
          CompletableFuture<IncomingResponse> f = future(ctx, a[0]).future();
          return new long[] {ctx.resources().add(new PollableResource(f::isDone))};
        });
    // (self) -> option<result<result<own<incoming-response>, error-code>, ()>>
    // flat (self, ret); ret: 56 bytes align 8: tags @0, @8, @16; handle | error-code @24
    t.add(
        "[method]future-incoming-response.get",
        "ii",
        "",
        (ctx, a) -> {
          FutureIncomingResponseResource f = future(ctx, a[0]);
          GuestMemory m = ctx.memory();
          long ret = u32(a[1]);
          m.checkAligned("return area", ret, 8, FUTURE_RESULT_SIZE);
          if (!f.future().isDone()) {
            m.writeU8("option", ret, 0);
            return NONE;
          }
          m.writeU8("option", ret, 1);
          if (!f.take()) {
            m.writeU8("result", ret + 8, 1);
            return NONE;
          }
          m.writeU8("result", ret + 8, 0);
          IncomingResponse response;
          try {
            response = f.future().get();
          } catch (ExecutionException | RuntimeException e) {
            m.writeU8("result", ret + 16, 1);
            ErrorCodeAbi.lower(m, ret + 24, ErrorCodeValue.of(e, HttpErrorCode.INTERNAL_ERROR));
            return NONE;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading a completed future", e);
          }
          m.writeU8("result", ret + 16, 0);
          m.writeI32(
              "incoming-response",
              ret + 24,
              ctx.resources().add(new IncomingResponseResource(response)));
          return NONE;
        });
    t.drop("future-incoming-response", FutureIncomingResponseResource.class, FUTURE);
  }

  private static void registerIncoming(FunctionTable t) {
    // (self) -> status-code (u16)
    t.add(
        "[method]incoming-response.status",
        "i",
        "i",
        (ctx, a) -> new long[] {incoming(ctx, a[0]).response().status()});
    // (self) -> own<headers>: an immutable copy
    t.add(
        "[method]incoming-response.headers",
        "i",
        "i",
        (ctx, a) ->
            new long[] {
              ctx.resources()
                  .add(FieldsResource.immutableOf(incoming(ctx, a[0]).response().headers()))
            });
    // (self) -> result<own<incoming-body>, ()>; flat (self, ret); ret: 8 bytes: tag @0, handle @4
    t.add(
        "[method]incoming-response.consume",
        "ii",
        "",
        (ctx, a) -> {
          IncomingResponseResource r = incoming(ctx, a[0]);
          HttpAbi.writeResultOwn(
              ctx,
              u32(a[1]),
              () ->
                  r.consume()
                      ? new IncomingBodyResource(r.response().body(), "incoming response body")
                      : null);
          return NONE;
        });
    t.drop("incoming-response", IncomingResponseResource.class, INCOMING);
  }

  /**
   * Sends the response head now, and connects the response's body so what the guest writes next
   * streams to the client; or answers with an engine error naming the guest's error-code.
   */
  private static long[] set(InstanceContext ctx, long[] a) {
    ctx.resources().get(a[0], ResponseOutparamResource.class, OUTPARAM);
    boolean isError = HttpAbi.flag("result<outgoing-response, error-code>", a[1]);
    ErrorCodeValue error = null;
    if (isError) {
      error = ErrorCodeAbi.lift(ctx.memory(), a, 2);
    } else {
      outgoing(ctx, a[2]);
    }
    if (ctx.responseSet()) {
      throw new AbiViolation(
          "response-outparam.set called a second time (expected: once per request)");
    }
    ctx.resources().remove(a[0], ResponseOutparamResource.class, OUTPARAM);
    ctx.markResponseSet();
    if (isError) {
      ctx.response()
          .fail(
              new EngineError(
                  ErrorCodeAbi.engineStatus(error.code()),
                  MODULE_ERROR,
                  "module "
                      + ctx.module().label()
                      + " answered with wasi:http error-code "
                      + error.describe()));
      return NONE;
    }
    OutgoingResponseResource response =
        ctx.resources().remove(a[2], OutgoingResponseResource.class, OUTGOING);
    OutgoingBodySink body = response.body() == null ? null : response.body().sink();
    if (body != null && body.failure() != null) {
      ctx.response()
          .fail(
              new EngineError(
                  500,
                  MODULE_BODY_FAILED,
                  "module " + ctx.module().label() + " response body failed: " + body.failure()));
      return NONE;
    }
    List<Field> headers = FieldRules.withoutForbidden(response.headers());
    try {
      BodySink sink = ctx.response().start(response.status(), headers);
      if (body == null) {
        sink.finish(List.of());
      } else {
        body.connect(sink);
      }
    } catch (IOException e) {
      // The client went away: the guest learns it from its next write or finish.
      LOG.debug("response of {} could not be started: {}", ctx.module().label(), e.getMessage());
      if (body != null) {
        body.abort("response could not be sent: " + e.getMessage());
      }
    }
    return NONE;
  }

  private static OutgoingResponseResource outgoing(InstanceContext ctx, long handle) {
    return ctx.resources().get(handle, OutgoingResponseResource.class, OUTGOING);
  }

  private static FutureIncomingResponseResource future(InstanceContext ctx, long handle) {
    return ctx.resources().get(handle, FutureIncomingResponseResource.class, FUTURE);
  }

  private static IncomingResponseResource incoming(InstanceContext ctx, long handle) {
    return ctx.resources().get(handle, IncomingResponseResource.class, INCOMING);
  }
}
