package io.wruntime.engine.host.abi;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.ResponseSink;
import io.wruntime.engine.module.ModuleDefinition;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Everything the host functions of one instance share: its memory, its handle table, the request it
 * serves and where its response goes, its poll signal, and per-interface state. One instance, one
 * request, one thread: not thread-safe, except {@link #readiness()}.
 */
public final class InstanceContext {
  private final ModuleDefinition module;
  private final Resources resources = new Resources();
  private final Readiness readiness = new Readiness();
  private final OutboundClient outbound;
  private final Logger guestLog;
  private final Map<Class<?>, Object> state = new HashMap<>();
  private IncomingRequest request;
  private ResponseSink response;
  private GuestMemory memory;
  private boolean responseSet;
  private String currentTraceparent;

  public InstanceContext(ModuleDefinition module, OutboundClient outbound, Logger guestLog) {
    this.module = requireNonNull(module, "module");
    this.outbound = requireNonNull(outbound, "outbound");
    this.guestLog = requireNonNull(guestLog, "guestLog");
  }

  public ModuleDefinition module() {
    return module;
  }

  public Resources resources() {
    return resources;
  }

  public Readiness readiness() {
    return readiness;
  }

  public OutboundClient outbound() {
    return outbound;
  }

  /** Where the module's stdout/stderr lines go (tagged with module and trace id by the caller). */
  public Logger guestLog() {
    return guestLog;
  }

  /**
   * The guest's memory; set once the instance exists.
   *
   * @throws AbiViolation when there is none: a component's {@code canon lower} without a {@code
   *     memory} option of a host function that reads or writes guest memory
   */
  public GuestMemory memory() {
    if (memory == null) {
      throw new AbiViolation(
          "the host function reads or writes guest memory, but no memory is bound (expected: a"
              + " memory option on the canon lower of a function that takes or returns pointers)");
    }
    return memory;
  }

  public void bindMemory(GuestMemory memory) {
    this.memory = requireNonNull(memory, "memory");
  }

  /**
   * Makes {@code memory} (null for none) the memory of the host calls that follow and returns the
   * previous one: a component's {@code canon lower} binds the memory and realloc of its options for
   * the duration of one host call.
   */
  public GuestMemory swapMemory(GuestMemory memory) {
    GuestMemory previous = this.memory;
    this.memory = memory;
    return previous;
  }

  /** The request being handled, or null outside of a request. */
  public IncomingRequest request() {
    return request;
  }

  public ResponseSink response() {
    return response;
  }

  public void bindRequest(IncomingRequest request, ResponseSink response) {
    this.request = requireNonNull(request, "request");
    this.response = requireNonNull(response, "response");
  }

  /**
   * The trace context the module's outgoing calls carry: the module's current span (see {@link
   * #setCurrentTraceparent}) or else the served request's {@code traceparent} (the engine's {@code
   * engine.dispatch} span); null when there is neither.
   */
  public String traceparent() {
    if (currentTraceparent != null) {
      return currentTraceparent;
    }
    return request == null ? null : Field.first(request.headers(), "traceparent");
  }

  /** Makes {@code traceparent} the current trace context, or null to fall back to the request's. */
  public void setCurrentTraceparent(String traceparent) {
    this.currentTraceparent = traceparent;
  }

  /** True once the module called {@code response-outparam.set}. */
  public boolean responseSet() {
    return responseSet;
  }

  public void markResponseSet() {
    responseSet = true;
  }

  /** Per-interface state, created on first use (e.g. the stdout stream of wasi:cli). */
  public <T> T state(Class<T> type, java.util.function.Supplier<T> create) {
    return type.cast(state.computeIfAbsent(type, k -> create.get()));
  }
}
