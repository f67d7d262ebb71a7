package io.wruntime.engine.host;

import io.opentelemetry.api.trace.Tracer;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.HostInterfaces;
import io.wruntime.engine.host.blobstore.BlobStores;
import io.wruntime.engine.host.blobstore.WruntimeBlobstore;
import io.wruntime.engine.host.cli.WasiCli;
import io.wruntime.engine.host.clocks.WasiClocks;
import io.wruntime.engine.host.db.WruntimeDb;
import io.wruntime.engine.host.filesystem.WasiFilesystem;
import io.wruntime.engine.host.http.WasiHttp;
import io.wruntime.engine.host.io.WasiIoError;
import io.wruntime.engine.host.io.WasiIoPoll;
import io.wruntime.engine.host.io.WasiIoStreams;
import io.wruntime.engine.host.llm.WruntimeLlm;
import io.wruntime.engine.host.random.WasiRandom;
import io.wruntime.engine.host.sockets.WasiSockets;
import io.wruntime.engine.host.tracing.WruntimeTracing;
import java.util.ArrayList;
import java.util.List;

/** The wasi 0.2 interfaces the engine offers every module, and the wruntime ones it implements. */
public final class WasiHost {
  private WasiHost() {}

  /**
   * Every function of the stable WASI 0.2 interfaces up to 0.2.12: wasi:io, wasi:clocks,
   * wasi:random, wasi:cli, wasi:filesystem (no preopened directory), wasi:sockets (denying) and
   * wasi:http.
   */
  public static List<HostFunctionDef> functions() {
    List<HostFunctionDef> all = new ArrayList<>();
    all.addAll(WasiIoError.functions());
    all.addAll(WasiIoPoll.functions());
    all.addAll(WasiIoStreams.functions());
    all.addAll(WasiClocks.functions());
    all.addAll(WasiRandom.functions());
    all.addAll(WasiCli.functions());
    all.addAll(WasiFilesystem.functions());
    all.addAll(WasiSockets.functions());
    all.addAll(WasiHttp.functions());
    return List.copyOf(all);
  }

  /** A registry of {@link #functions()}. */
  public static HostInterfaces interfaces() {
    HostInterfaces interfaces = new HostInterfaces();
    interfaces.addAll(functions());
    return interfaces;
  }

  /**
   * A registry of {@link #functions()} and the wruntime host interfaces the engine implements
   * ({@code wruntime:tracing}, recording with {@code tracer}; {@code wruntime:llm}; {@code
   * wruntime:blobstore}, whose S3 clients {@link HostInterfaces#close()} closes; {@code
   * wruntime:db}); a module imports those only when granted.
   */
  public static HostInterfaces interfaces(Tracer tracer) {
    HostInterfaces interfaces = interfaces();
    interfaces.addAll(WruntimeTracing.functions(tracer));
    interfaces.addAll(WruntimeLlm.functions());
    interfaces.addAll(WruntimeDb.functions());
    BlobStores stores = new BlobStores();
    interfaces.own(stores);
    interfaces.addAll(WruntimeBlobstore.functions(stores));
    interfaces.onLoad(WruntimeBlobstore.IFACE, stores::prepare);
    return interfaces;
  }
}
