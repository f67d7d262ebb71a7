package io.wruntime.engine.host.http;

import static io.wruntime.engine.host.http.HttpAbi.u32;

import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingResponse;
import io.wruntime.engine.http.OutgoingRequest;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.module.ModuleDefinition;
import java.util.concurrent.CompletableFuture;

/** {@code wasi:http/outgoing-handler}: {@code handle}. */
final class OutgoingHandlerFunctions {
  /** Size of {@code result<own<future-incoming-response>, error-code>}: tag @0, payload @8. */
  static final int RESULT_SIZE = 40;

  private static final long[] NONE = new long[0];

  private OutgoingHandlerFunctions() {}

  static void register(FunctionTable t) {
    // (request: own<outgoing-request>, options: option<own<request-options>>)
    //   -> result<own<future-incoming-response>, error-code>
    // flat (request, options tag, options, ret); ret: 40 bytes align 8: tag @0, handle i32 @8 or
    // error-code @8
    t.add("handle", "iiii", "", OutgoingHandlerFunctions::handle);
  }

  private static long[] handle(InstanceContext ctx, long[] a) {
    ctx.resources().get(a[0], OutgoingRequestResource.class, RequestFunctions.OUTGOING);
    boolean hasOptions = HttpAbi.flag("option<request-options>", a[1]);
    if (hasOptions) {
      ctx.resources().get(a[2], RequestOptionsResource.class, RequestFunctions.OPTIONS);
    }
    GuestMemory m = ctx.memory();
    long ret = u32(a[3]);
    m.checkAligned("return area", ret, 8, RESULT_SIZE);
    OutgoingRequestResource request =
        ctx.resources().remove(a[0], OutgoingRequestResource.class, RequestFunctions.OUTGOING);
    RequestOptionsResource options =
        hasOptions
            ? ctx.resources().remove(a[2], RequestOptionsResource.class, RequestFunctions.OPTIONS)
            : new RequestOptionsResource();

    OutgoingBodySink bodySink = request.body() == null ? null : request.body().sink();
    if (request.authority() == null) {
      String message = "outgoing request has no authority (expected: set-authority before handle)";
      if (bodySink != null) {
        bodySink.abort(message);
      }
      writeError(m, ret, new ErrorCodeValue(HttpErrorCode.HTTP_REQUEST_URI_INVALID, message));
      return NONE;
    }
    BodySource body = BodySource.empty();
    if (bodySink != null) {
      // The guest may keep writing after handle: the pipe carries the body to the client as it
      // is written, bounded by the pipe's buffer.
      Pipe pipe = new Pipe();
      bodySink.connect(pipe.sink());
      body = pipe.source();
    }
    String path = request.pathWithQuery();
    OutgoingRequest outgoing =
        new OutgoingRequest(
            request.method(),
            request.scheme() == null ? "http" : request.scheme(),
            request.authority(),
            path == null || path.isEmpty() ? "/" : path,
            FieldRules.withoutForbidden(request.headers()),
            body,
            RequestOptionsResource.duration(options.connectTimeout),
            RequestOptionsResource.duration(options.firstByteTimeout),
            RequestOptionsResource.duration(options.betweenBytesTimeout),
            caller(ctx));
    CompletableFuture<IncomingResponse> future;
    try {
      future = ctx.outbound().send(outgoing);
    } catch (RuntimeException e) {
      ErrorCodeValue error = ErrorCodeValue.of(e, HttpErrorCode.INTERNAL_ERROR);
      body.discard();
      if (bodySink != null) {
        bodySink.abort(error.describe());
      }
      writeError(m, ret, error);
      return NONE;
    }
    future.whenComplete((response, failure) -> ctx.readiness().wake());
    int handle = ctx.resources().add(new FutureIncomingResponseResource(future));
    m.writeU8("result", ret, 0);
    m.writeI32("future-incoming-response", ret + 8, handle);
    return NONE;
  }

  private static void writeError(GuestMemory m, long ret, ErrorCodeValue error) {
    m.writeU8("result", ret, 1);
    ErrorCodeAbi.lower(m, ret + 8, error);
  }

  /** The calling module, and its current trace context (its span, or the request's), if any. */
  private static OutgoingRequest.Caller caller(InstanceContext ctx) {
    ModuleDefinition module = ctx.module();
    return new OutgoingRequest.Caller(
        module.namespace(), module.name(), module.version(), ctx.traceparent());
  }
}
