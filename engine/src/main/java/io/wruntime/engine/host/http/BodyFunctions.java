package io.wruntime.engine.host.http;

import static io.wruntime.engine.host.http.HttpAbi.u32;

import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.io.ErrorResource;
import io.wruntime.engine.host.io.InputStreamResource;
import io.wruntime.engine.host.io.OutputStreamResource;
import io.wruntime.engine.host.io.PollableResource;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import java.io.IOException;
import java.util.List;

/**
 * {@code wasi:http/types}: {@code incoming-body}, {@code future-trailers}, {@code outgoing-body},
 * and {@code http-error-code}.
 */
final class BodyFunctions {
  static final String INCOMING = "wasi:http/types.incoming-body";
  static final String TRAILERS = "wasi:http/types.future-trailers";
  static final String OUTGOING = "wasi:http/types.outgoing-body";

  /** Size of {@code result<_, error-code>} and {@code option<error-code>}: tag @0, code @8. */
  static final int ERROR_RESULT_SIZE = 40;

  private static final long[] NONE = new long[0];

  private BodyFunctions() {}

  static void register(FunctionTable t) {
    registerIncoming(t);
    registerTrailers(t);
    registerOutgoing(t);
    // (err: borrow<io-error>) -> option<error-code>; flat (err, ret); ret: 40 bytes align 8:
    // tag @0, error-code @8
    t.add(
        "http-error-code",
        "ii",
        "",
        (ctx, a) -> {
          ErrorResource error =
              ctx.resources().get(a[0], ErrorResource.class, "wasi:io/error.error");
          GuestMemory m = ctx.memory();
          long ret = u32(a[1]);
          m.checkAligned("http-error-code return area", ret, 8, ERROR_RESULT_SIZE);
          if (error.httpErrorCode() == null) {
            m.writeU8("option", ret, 0);
          } else {
            m.writeU8("option", ret, 1);
            ErrorCodeAbi.lower(
                m, ret + 8, new ErrorCodeValue(error.httpErrorCode(), error.message()));
          }
          return NONE;
        });
  }

  private static void registerIncoming(FunctionTable t) {
    // (self) -> result<own<input-stream>, ()>; flat (self, ret); ret: 8 bytes: tag @0, handle @4
    t.add(
        "[method]incoming-body.stream",
        "ii",
        "",
        (ctx, a) -> {
          IncomingBodyResource body =
              ctx.resources().get(a[0], IncomingBodyResource.class, INCOMING);
          HttpAbi.writeResultOwn(
              ctx,
              u32(a[1]),
              () ->
                  body.takeStream()
                      ? new InputStreamResource(body.source(), body.description())
                      : null);
          return NONE;
        });
    // (this: own<incoming-body>) -> own<future-trailers>
    t.add(
        "[static]incoming-body.finish",
        "i",
        "i",
        (ctx, a) -> {
          IncomingBodyResource body =
              ctx.resources().remove(a[0], IncomingBodyResource.class, INCOMING);
          body.handOff();
          FutureTrailersResource trailers =
              new FutureTrailersResource(body.source(), ctx.readiness());
          return new long[] {ctx.resources().add(trailers)};
        });
    t.drop("incoming-body", IncomingBodyResource.class, INCOMING);
  }

  private static void registerTrailers(FunctionTable t) {
    // (self) -> own<pollable>
    t.add(
        "[method]future-trailers.subscribe",
        "i",
        "i",
        (ctx, a) -> {
          FutureTrailersResource f = trailers(ctx, a[0]);
          return new long[] {ctx.resources().add(new PollableResource(f::poll))};
        });
    // (self) -> option<result<result<option<own<trailers>>, error-code>, ()>>
    // flat (self, ret); ret: 56 bytes align 8: tags @0, @8, @16; then option<trailers> tag @24
    // and handle @28, or the error-code @24
    t.add(
        "[method]future-trailers.get",
        "ii",
        "",
        (ctx, a) -> {
          FutureTrailersResource f = trailers(ctx, a[0]);
          GuestMemory m = ctx.memory();
          long ret = u32(a[1]);
          m.checkAligned(
              "future-trailers.get return area", ret, 8, ResponseFunctions.FUTURE_RESULT_SIZE);
          if (!f.isTaken() && !f.poll()) {
            m.writeU8("option", ret, 0);
            return NONE;
          }
          m.writeU8("option", ret, 1);
          if (!f.take()) {
            m.writeU8("result", ret + 8, 1);
            return NONE;
          }
          m.writeU8("result", ret + 8, 0);
          if (f.error() != null) {
            m.writeU8("result", ret + 16, 1);
            ErrorCodeAbi.lower(m, ret + 24, f.error());
            return NONE;
          }
          m.writeU8("result", ret + 16, 0);
          List<Field> fields = f.trailers();
          if (fields.isEmpty()) {
            m.writeU8("option<trailers>", ret + 24, 0);
          } else {
            int handle = ctx.resources().add(FieldsResource.immutableOf(fields));
            m.writeU8("option<trailers>", ret + 24, 1);
            m.writeI32("trailers", ret + 28, handle);
          }
          return NONE;
        });
    t.drop("future-trailers", FutureTrailersResource.class, TRAILERS);
  }

  private static void registerOutgoing(FunctionTable t) {
    // (self) -> result<own<output-stream>, ()>; flat (self, ret); ret: 8 bytes: tag @0, handle @4
    t.add(
        "[method]outgoing-body.write",
        "ii",
        "",
        (ctx, a) -> {
          OutgoingBodyResource body =
              ctx.resources().get(a[0], OutgoingBodyResource.class, OUTGOING);
          HttpAbi.writeResultOwn(
              ctx,
              u32(a[1]),
              () ->
                  body.takeStream()
                      ? new OutputStreamResource(body.sink(), body.sink().description())
                      : null);
          return NONE;
        });
    // (this: own<outgoing-body>, trailers: option<own<trailers>>) -> result<_, error-code>
    // flat (this, tag, trailers, ret); ret: 40 bytes align 8: tag @0, error-code @8
    t.add(
        "[static]outgoing-body.finish",
        "iiii",
        "",
        (ctx, a) -> {
          ctx.resources().get(a[0], OutgoingBodyResource.class, OUTGOING);
          boolean hasTrailers = HttpAbi.flag("option<trailers>", a[1]);
          if (hasTrailers) {
            FieldsFunctions.fields(ctx, a[2]);
          }
          GuestMemory m = ctx.memory();
          long ret = u32(a[3]);
          m.checkAligned("return area", ret, 8, ERROR_RESULT_SIZE);
          OutgoingBodyResource body =
              ctx.resources().remove(a[0], OutgoingBodyResource.class, OUTGOING);
          List<Field> trailers =
              hasTrailers
                  ? FieldRules.withoutForbidden(FieldsFunctions.take(ctx, a[2]))
                  : List.of();
          try {
            body.sink().finish(trailers);
            m.writeU8("result", ret, 0);
          } catch (IOException e) {
            body.sink().abort(e.getMessage());
            m.writeU8("result", ret, 1);
            ErrorCodeAbi.lower(m, ret + 8, finishError(e));
          }
          return NONE;
        });
    t.drop("outgoing-body", OutgoingBodyResource.class, OUTGOING);
  }

  private static ErrorCodeValue finishError(IOException e) {
    if (e instanceof OutgoingBodySink.BodySizeException size) {
      return new ErrorCodeValue(size.code(), Long.toString(size.size()));
    }
    return ErrorCodeValue.of(e, HttpErrorCode.CONNECTION_TERMINATED);
  }

  private static FutureTrailersResource trailers(InstanceContext ctx, long handle) {
    return ctx.resources().get(handle, FutureTrailersResource.class, TRAILERS);
  }
}
