package io.wruntime.engine.host.http;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The host side of {@code wasi:http/types} and {@code wasi:http/outgoing-handler} 0.2.x, lowered by
 * the Canonical ABI onto core modules: the same import names, flat signatures and return areas as
 * {@code wit-bindgen} emits, so guests built for wasmtime's proxy world run unchanged.
 *
 * <p>Policy, as wasmtime's: fields a guest builds reject invalid names and values ({@code
 * invalid-syntax}) and the connection-level headers in {@code FieldRules.FORBIDDEN} ({@code
 * forbidden}); the {@code headers} of a request or response are immutable copies; a guest's fields
 * hold at most 100 entries and 64 KiB ({@code forbidden} past that). A response's head is sent when
 * {@code response-outparam.set} is called, and its body streams from then on; up to 64 KiB may be
 * written before. Resources are closed by {@link io.wruntime.engine.host.abi.WitResource#close()}
 * when dropped and when the instance ends: unread incoming bodies are discarded, unfinished
 * outgoing bodies aborted, pending outgoing requests cancelled.
 */
public final class WasiHttp {
  /** The interface {@code types}, without version. */
  public static final String TYPES = "wasi:http/types";

  /** The interface {@code outgoing-handler}, without version. */
  public static final String OUTGOING_HANDLER = "wasi:http/outgoing-handler";

  private WasiHttp() {}

  /** Every function of {@code wasi:http/types} and {@code wasi:http/outgoing-handler}. */
  public static List<HostFunctionDef> functions() {
    FunctionTable types = new FunctionTable(TYPES);
    FieldsFunctions.register(types);
    RequestFunctions.register(types);
    ResponseFunctions.register(types);
    BodyFunctions.register(types);
    FunctionTable handler = new FunctionTable(OUTGOING_HANDLER);
    OutgoingHandlerFunctions.register(handler);
    List<HostFunctionDef> all = new ArrayList<>(types.defs());
    all.addAll(handler.defs());
    return List.copyOf(all);
  }

  /**
   * Puts the context's request into the instance's handle table as an {@code incoming-request}, and
   * its response sink as a {@code response-outparam}; returns {requestHandle, outparamHandle}, the
   * arguments of the {@code wasi:http/incoming-handler#handle} export.
   */
  public static int[] bindIncoming(InstanceContext ctx) {
    requireNonNull(ctx, "ctx");
    if (ctx.request() == null || ctx.response() == null) {
      throw new IllegalStateException("no request bound to the instance context");
    }
    int request = ctx.resources().add(new IncomingRequestResource(ctx.request()));
    int outparam = ctx.resources().add(new ResponseOutparamResource());
    return new int[] {request, outparam};
  }
}
