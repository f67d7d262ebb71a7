package io.wruntime.engine.host;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasm.ChicoryException;
import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.host.cli.GuestExit;
import io.wruntime.engine.host.cli.GuestOutput;
import io.wruntime.engine.host.cli.WasiCli;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.module.GuestException.Kind;
import io.wruntime.engine.module.ModuleDefinition;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call of guest code, the way core modules and components both run: the call's context, the
 * call itself, then the release of every resource the context still holds, and the classification
 * of whatever went wrong into a {@link GuestException}.
 */
public final class GuestRun {
  /** Where guests' stdout and stderr lines go. */
  public static final Logger GUEST_LOG = LoggerFactory.getLogger("wruntime.guest");

  private static final Logger log = LoggerFactory.getLogger(GuestRun.class);

  /**
   * Whether instances started from a snapshot are reset and reused between requests (default), or
   * built anew for each: the JVM property {@code wruntime.reuse-instances=false} turns reuse off,
   * for comparisons ({@code bin/wr-benchmark components}).
   */
  public static final boolean REUSE_INSTANCES =
      !"false".equals(System.getProperty("wruntime.reuse-instances"));

  private GuestRun() {}

  /** The guest code of one call: instantiate, initialize, call. */
  @FunctionalInterface
  public interface Body<T> {
    T run();
  }

  /**
   * A context for one call of {@code definition}'s module, its output tagged with {@code traceId}.
   */
  public static InstanceContext newContext(
      ModuleDefinition definition, OutboundClient outbound, String traceId) {
    InstanceContext ctx = new InstanceContext(definition, outbound.forRequest(), GUEST_LOG);
    GuestOutput output =
        new GuestOutput(GUEST_LOG, definition.label(), traceId, GuestOutput.DEFAULT_LIMIT);
    ctx.state(GuestOutput.class, () -> output);
    return ctx;
  }

  /**
   * Runs {@code body}; whatever happens, releases every resource {@code ctx} still holds, then
   * {@code alsoClose} (may be null). Failures become {@link GuestException}s; nothing else escapes.
   */
  public static <T> T run(
      ModuleDefinition definition, InstanceContext ctx, AutoCloseable alsoClose, Body<T> body)
      throws GuestException {
    requireNonNull(ctx, "ctx");
    GuestOutput output = WasiCli.output(ctx);
    T result = null;
    Throwable failure = null;
    try {
      result = body.run();
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      failure = e;
    }
    // Cleanup must not be cut short by the deadline's interrupt; it is restored afterwards.
    boolean interrupted = Thread.interrupted();
    try {
      release(definition, ctx, output, alsoClose);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (failure != null) {
      GuestException e = classify(failure, ctx, interrupted);
      if (e != null) {
        throw e;
      }
    }
    return result;
  }

  private static void release(
      ModuleDefinition definition, InstanceContext ctx, GuestOutput output, AutoCloseable also) {
    List<Object> live = ctx.resources().all();
    for (int i = live.size() - 1; i >= 0; i--) {
      if (live.get(i) instanceof WitResource r) {
        try {
          r.close();
        } catch (RuntimeException e) {
          log.warn("{}: releasing a {} failed: {}", definition.label(), r.witName(), e.toString());
        }
      }
    }
    if (also != null) {
      try {
        also.close();
      } catch (Exception e) {
        log.warn("{}: closing {} failed: {}", definition.label(), also, e.toString());
      }
    }
    output.flush();
  }

  /** The GuestException for a failed call, or null when the guest exited after responding. */
  static GuestException classify(Throwable failure, InstanceContext ctx, boolean interrupted) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof AbiViolation v) {
        return new GuestException(Kind.ABI_VIOLATION, v.getMessage(), failure);
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String exit = null;
      if (t instanceof GuestExit g) {
        exit = g.status();
      } else if (t instanceof WasiExitException w) {
        exit = "proc_exit(" + w.exitCode() + ")";
      }
      if (exit != null) {
        if (ctx.responseSet()) {
          return null;
        }
        return new GuestException(
            Kind.TRAP, "the module called " + exit + " before setting a response", failure);
      }
    }
    boolean stopped = interrupted;
    for (Throwable t = failure; t != null && !stopped; t = t.getCause()) {
      stopped = t instanceof ChicoryInterruptedException || t instanceof InterruptedException;
    }
    if (stopped) {
      return new GuestException(
          Kind.INTERRUPTED, "interrupted (the request's deadline, or shutdown)", failure);
    }
    if (failure instanceof StackOverflowError) {
      return new GuestException(Kind.TRAP, "call stack exhausted", failure);
    }
    if (failure instanceof OutOfMemoryError) {
      return new GuestException(
          Kind.TRAP, "the engine ran out of memory running the module", failure);
    }
    if (failure instanceof ChicoryException) {
      return new GuestException(Kind.TRAP, String.valueOf(failure.getMessage()), failure);
    }
    return new GuestException(Kind.TRAP, "a host call failed: " + failure, failure);
  }

  /** Fails unless the handler set a response before returning. */
  public static void requireResponse(InstanceContext ctx) throws GuestException {
    if (!ctx.responseSet()) {
      throw new GuestException(
          Kind.NO_RESPONSE,
          "the handler returned without calling response-outparam.set (expected: a response set"
              + " before the handler returns)");
    }
  }

  /** The trace id of a W3C {@code traceparent} header value, or {@code "-"}. */
  public static String traceId(String traceparent) {
    if (traceparent == null) {
      return "-";
    }
    String[] parts = traceparent.trim().split("-");
    if (parts.length >= 4 && parts[1].length() == 32 && parts[1].matches("[0-9a-f]{32}")) {
      return parts[1];
    }
    return "-";
  }
}
