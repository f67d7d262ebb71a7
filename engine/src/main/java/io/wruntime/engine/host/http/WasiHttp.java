package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import java.util.List;

/** The host side of {@code wasi:http/types} and {@code wasi:http/outgoing-handler} 0.2.x. */
public final class WasiHttp {
  private WasiHttp() {}

  /** Every function of {@code wasi:http/types} and {@code wasi:http/outgoing-handler}. */
  public static List<HostFunctionDef> functions() {
    return List.of();
  }

  /**
   * Puts the context's request into the instance's handle table as an {@code incoming-request}, and
   * its response sink as a {@code response-outparam}; returns {requestHandle, outparamHandle}, the
   * arguments of the {@code wasi:http/incoming-handler#handle} export.
   */
  public static int[] bindIncoming(InstanceContext ctx) {
    throw new UnsupportedOperationException("wasi:http host not implemented yet");
  }
}
