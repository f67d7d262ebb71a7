package io.wruntime.engine.dispatch;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.http.WrHeaders;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.ResponseSink;
import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.server.RequestHandler;
import io.wruntime.engine.server.Responses;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes requests to hosted modules by {@code x-wr-namespace}, {@code x-wr-module} and {@code
 * x-wr-version} (exact), and runs each on its own virtual thread within the module's limits: at
 * most {@code max_concurrent_instances} running and {@code channel_capacity} waiting (429 beyond),
 * an instance within {@link #admissionWait} (503 otherwise), {@code total_component_instances}
 * engine-wide, and a deadline that interrupts the module (504). Every failure is a JSON error and
 * one log line; the engine and other requests carry on.
 */
public final class Dispatcher implements RequestHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /** How long a request may wait for a free instance: 1 s, as the original. */
  public static final Duration DEFAULT_ADMISSION_WAIT = Duration.ofSeconds(1);

  private final ModuleRegistry registry;
  private final int totalInstances;
  private final Semaphore global;
  private final Duration admissionWait;
  private final ScheduledExecutorService deadlines;
  private final DispatchObserver observer;
  private final DispatchMetrics metrics = new DispatchMetrics();
  private final Set<Thread> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean shuttingDown;

  /**
   * @param totalInstances {@code total_component_instances}: instances running at once engine-wide
   * @param admissionWait how long a request may wait for a free instance before a 503
   * @param observer sees each request dispatched to a module (tracing)
   */
  public Dispatcher(
      ModuleRegistry registry,
      int totalInstances,
      Duration admissionWait,
      DispatchObserver observer) {
    this.registry = requireNonNull(registry, "registry");
    this.observer = requireNonNull(observer, "observer");
    if (totalInstances < 1) {
      throw new IllegalArgumentException("totalInstances: " + totalInstances + " (expected: >= 1)");
    }
    this.totalInstances = totalInstances;
    this.global = new Semaphore(totalInstances, true);
    this.admissionWait = requireNonNull(admissionWait, "admissionWait");
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("wr-deadlines").daemon().factory());
    // Almost every deadline is cancelled (the request ended in time): drop them at once.
    timer.setRemoveOnCancelPolicy(true);
    this.deadlines = timer;
  }

  public Dispatcher(ModuleRegistry registry, int totalInstances, Duration admissionWait) {
    this(registry, totalInstances, admissionWait, DispatchObserver.NONE);
  }

  public Dispatcher(ModuleRegistry registry, int totalInstances) {
    this(registry, totalInstances, DEFAULT_ADMISSION_WAIT);
  }

  public ModuleRegistry registry() {
    return registry;
  }

  /**
   * Dispatches a request by its {@code x-wr-*} headers. Answers header and routing errors at once;
   * runs the module on a virtual thread otherwise. Does not block.
   */
  @Override
  public void handle(IncomingRequest request, ResponseSink response) {
    requireNonNull(request, "request");
    requireNonNull(response, "response");
    String namespace = Field.first(request.headers(), WrHeaders.NAMESPACE);
    String name = Field.first(request.headers(), WrHeaders.MODULE);
    String version = Field.first(request.headers(), WrHeaders.VERSION);
    List<String> missing = new ArrayList<>(3);
    if (isBlank(namespace)) {
      missing.add(WrHeaders.NAMESPACE);
    }
    if (isBlank(name)) {
      missing.add(WrHeaders.MODULE);
    }
    if (isBlank(version)) {
      missing.add(WrHeaders.VERSION);
    }
    if (!missing.isEmpty()) {
      reject(
          request,
          response,
          null,
          new EngineError(
              400,
              "missing_dispatch_headers",
              "missing "
                  + String.join(", ", missing)
                  + " (expected: x-wr-namespace, x-wr-module and x-wr-version naming a module"
                  + " hosted here, as the proxy sets them)"));
      return;
    }
    namespace = namespace.trim();
    name = name.trim();
    version = version.trim();
    HostedModule module = registry.find(namespace, name, version);
    if (module == null) {
      String label = namespace + "." + name + "@" + version;
      reject(request, response, label, notFound(namespace, name, version));
      return;
    }
    dispatch(module, request, response);
  }

  /**
   * Runs {@code request} in {@code module} on a new virtual thread, within its limits. Does not
   * block. Used for inbound traffic and for calls between modules of this engine.
   */
  public void dispatch(HostedModule module, IncomingRequest request, ResponseSink response) {
    requireNonNull(module, "module");
    requireNonNull(request, "request");
    requireNonNull(response, "response");
    DispatchObserver.Observation observation = observer.started(module, request);
    IncomingRequest observed = observation.request();
    EngineError refusal = null;
    if (!module.isReady()) {
      refusal =
          new EngineError(
              503,
              "module_unavailable",
              "module " + module.label() + " failed to load: " + module.loadError());
    } else if (shuttingDown) {
      refusal =
          new EngineError(
              503, "shutting_down", "the engine is shutting down; retry elsewhere", RETRY_AFTER);
    }
    if (refusal != null) {
      reject(observed, response, module.label(), refusal);
      observation.ended(refusal.status(), refusal);
      return;
    }
    Exchange exchange =
        new Exchange(module, observed, new DispatchResponse(response, module.label()), observation);
    Thread thread = Thread.ofVirtual().name("wr-" + module.label()).unstarted(exchange::run);
    exchange.thread = thread;
    inFlight.add(thread);
    exchange.deadline =
        deadlines.schedule(
            exchange::deadlineExceeded,
            module.limits().requestTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
    thread.start();
  }

  /** Requests running or waiting for an instance now. */
  public int inFlight() {
    return inFlight.size();
  }

  /** Prometheus text of the request counters and instance gauges. */
  public String metricsText() {
    return metrics.render(registry);
  }

  /**
   * Refuses new requests (503), waits up to {@code grace} for running ones to finish, then
   * interrupts the rest and waits briefly for them to stop.
   *
   * @return true when every request ended
   */
  public boolean shutdown(Duration grace) throws InterruptedException {
    shuttingDown = true;
    long end = System.nanoTime() + grace.toNanos();
    for (Thread t : List.copyOf(inFlight)) {
      long left = end - System.nanoTime();
      if (left > 0) {
        t.join(Duration.ofNanos(left));
      }
    }
    List<Thread> left = List.copyOf(inFlight);
    if (!left.isEmpty()) {
      LOG.warn("{} requests still running after {}; interrupting them", left.size(), grace);
      left.forEach(Thread::interrupt);
      for (Thread t : left) {
        t.join(Duration.ofSeconds(1));
      }
    }
    deadlines.shutdownNow();
    return inFlight.isEmpty();
  }

  private EngineError notFound(String namespace, String name, String version) {
    String label = namespace + "." + name + "@" + version;
    List<HostedModule> others = registry.versions(namespace, name);
    String hosted = registry.labels().isEmpty() ? "none" : String.join(", ", registry.labels());
    String message =
        others.isEmpty()
            ? "module " + label + " is not hosted by this engine (hosted: " + hosted + ")"
            : "module "
                + label
                + " is not hosted by this engine (hosted versions of "
                + namespace
                + "."
                + name
                + ": "
                + String.join(", ", others.stream().map(HostedModule::version).toList())
                + "; x-wr-version must name one exactly)";
    return new EngineError(404, "module_not_found", message);
  }

  private void reject(
      IncomingRequest request, ResponseSink response, String module, EngineError error) {
    request.body().discard();
    try {
      Responses.sendError(response, error, module);
    } catch (IOException e) {
      response.fail(error);
    }
    metrics.count(module == null ? "" : module, error.status());
    logFailure(module, error.status(), error.code(), error.message());
  }

  private static void logFailure(String moduleLabel, int status, String code, String reason) {
    String module = moduleLabel == null ? "-" : moduleLabel;
    if (status >= 500) {
      LOG.warn(
          "request failed: module={} status={} code={} reason={}", module, status, code, reason);
    } else {
      LOG.info(
          "request refused: module={} status={} code={} reason={}", module, status, code, reason);
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  /** One request's run: admission, the module call, the outcome. */
  private final class Exchange {
    final HostedModule module;
    final IncomingRequest request;
    final DispatchResponse response;
    final DispatchObserver.Observation observation;
    final AtomicBoolean deadlineHit = new AtomicBoolean();
    volatile Thread thread;
    volatile ScheduledFuture<?> deadline;

    Exchange(
        HostedModule module,
        IncomingRequest request,
        DispatchResponse response,
        DispatchObserver.Observation observation) {
      this.module = module;
      this.request = request;
      this.response = response;
      this.observation = observation;
    }

    void run() {
      boolean moduleHeld = false;
      boolean globalHeld = false;
      try {
        moduleHeld = admitModule();
        if (moduleHeld) {
          globalHeld = admitGlobal();
          if (globalHeld) {
            invoke();
          }
        }
      } catch (InterruptedException e) {
        interrupted();
      } finally {
        deadline.cancel(false);
        if (globalHeld) {
          global.release();
        }
        if (moduleHeld) {
          module.instances().release();
        }
        request.body().discard();
        if (!response.headSent()) {
          response.fail(
              new EngineError(
                  500, "internal_error", "module " + module.label() + " ended without a response"));
        }
        inFlight.remove(Thread.currentThread());
        record();
      }
    }

    private boolean admitModule() throws InterruptedException {
      Semaphore instances = module.instances();
      if (instances.tryAcquire(0, TimeUnit.NANOSECONDS)) {
        return true;
      }
      int capacity = module.limits().channelCapacity();
      if (module.waiting().incrementAndGet() > capacity) {
        module.waiting().decrementAndGet();
        response.fail(
            new EngineError(
                429,
                "queue_full",
                "module "
                    + module.label()
                    + " already has its queue of "
                    + capacity
                    + " waiting request"
                    + (capacity == 1 ? "" : "s")
                    + " full (channel_capacity = "
                    + capacity
                    + "); retry later",
                RETRY_AFTER));
        return false;
      }
      boolean acquired;
      try {
        acquired = instances.tryAcquire(admissionWait.toNanos(), TimeUnit.NANOSECONDS);
      } finally {
        module.waiting().decrementAndGet();
      }
      if (!acquired) {
        response.fail(
            new EngineError(
                503,
                "no_instance_available",
                "module "
                    + module.label()
                    + " had no free instance within "
                    + seconds(admissionWait)
                    + " (max_concurrent_instances = "
                    + module.limits().maxConcurrentInstances()
                    + ")",
                RETRY_AFTER));
      }
      return acquired;
    }

    private boolean admitGlobal() throws InterruptedException {
      if (global.tryAcquire(admissionWait.toNanos(), TimeUnit.NANOSECONDS)) {
        return true;
      }
      response.fail(
          new EngineError(
              503,
              "no_instance_available",
              "the engine had no free instance within "
                  + seconds(admissionWait)
                  + " (total_component_instances = "
                  + totalInstances
                  + ")",
              RETRY_AFTER));
      return false;
    }

    private void invoke() {
      String label = module.label();
      try {
        module.module().handle(request, response);
        if (!response.headSent()) {
          response.fail(
              new EngineError(
                  500, "no_response", "module " + label + " returned without setting a response"));
        } else if (response.bodyOpen()) {
          response.fail(
              new EngineError(
                  500,
                  "incomplete_response",
                  "module " + label + " returned before finishing its response body"));
        }
      } catch (GuestException e) {
        response.fail(guestError(e));
      } catch (RuntimeException | StackOverflowError e) {
        LOG.error("module {} failed in the engine", label, e);
        response.fail(
            new EngineError(
                500, "internal_error", "module " + label + " failed in the engine: " + e));
      }
    }

    private EngineError guestError(GuestException e) {
      String label = module.label();
      return switch (e.kind()) {
        case TRAP ->
            new EngineError(500, "module_trap", "module " + label + " trapped: " + e.getMessage());
        case ABI_VIOLATION ->
            new EngineError(
                500,
                "abi_violation",
                "module " + label + " broke the guest ABI: " + e.getMessage());
        case NO_RESPONSE ->
            new EngineError(
                500,
                "no_response",
                "module " + label + " returned without setting a response: " + e.getMessage());
        case INTERRUPTED -> interruptedError();
      };
    }

    private void interrupted() {
      response.fail(interruptedError());
    }

    private EngineError interruptedError() {
      if (shuttingDown && !deadlineHit.get()) {
        return new EngineError(
            503,
            "shutting_down",
            "module " + module.label() + " was stopped: the engine is shutting down",
            RETRY_AFTER);
      }
      return deadlineError();
    }

    private EngineError deadlineError() {
      return new EngineError(
          504,
          "deadline_exceeded",
          "module "
              + module.label()
              + " did not respond within "
              + seconds(module.limits().requestTimeout())
              + " (request_timeout_secs)");
    }

    /** On the deadline timer: answer 504 (or cut a started response), then stop the module. */
    void deadlineExceeded() {
      deadlineHit.set(true);
      response.fail(deadlineError());
      Thread t = thread;
      if (t != null) {
        t.interrupt();
      }
    }

    private void record() {
      EngineError error = response.error();
      observation.ended(response.status(), error);
      metrics.count(module.label(), response.status());
      if (error != null) {
        logFailure(module.label(), error.status(), error.code(), error.message());
      } else if (LOG.isDebugEnabled()) {
        LOG.debug("request done: module={} status={}", module.label(), response.status());
      }
    }
  }

  private static String seconds(Duration d) {
    if (d.toMillis() % 1000 == 0) {
      return d.toSeconds() + " s";
    }
    return d.toMillis() + " ms";
  }
}
