package io.wruntime.engine.dispatch;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.http.WrHeaders;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.engine.config.PoolConfig;
import io.wruntime.engine.host.snapshot.GrowthBudget;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes requests to hosted modules by {@code x-wr-namespace}, {@code x-wr-module} and {@code
 * x-wr-version} (exact), and runs each within the module's and the engine's limits. A request is
 * admitted on a virtual thread, where waiting costs nothing: at most {@code
 * max_concurrent_instances} of a module running (no more than {@code pool.module_guest_threads})
 * and {@code channel_capacity} waiting (429 beyond), a free guest thread ({@code
 * pool.guest_threads}, {@code total_component_instances}) and room in the engine's memory budget
 * for the instance's whole memory limit ({@code pool.max_total_memory}), each within {@link
 * #admissionWait} (503 otherwise). The module then runs on one of the engine's guest threads,
 * platform threads apart from the event loops, stopped by a thread interrupt at its wall-clock
 * deadline or when it has used its CPU time (504 either way). Every failure is a JSON error and one
 * log line; the engine and other requests carry on.
 */
public final class Dispatcher implements RequestHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /** How long a request may wait for a free instance: 1 s, as the original. */
  public static final Duration DEFAULT_ADMISSION_WAIT = Duration.ofSeconds(1);

  private final ModuleRegistry registry;
  private final PoolConfig pool;
  private final Semaphore global;
  private final GuestThreads guests;
  private final MemoryBudget memory;
  private final CpuClock cpu = new CpuClock();
  private final Duration admissionWait;
  private final ScheduledExecutorService deadlines;
  private final DispatchObserver observer;
  private final Telemetry telemetry;
  private final DispatchMetrics metrics;
  private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();
  // Guest threads running a module now.
  private final AtomicInteger running = new AtomicInteger();
  private volatile boolean shuttingDown;

  /**
   * @param pool the engine's limits: {@code total_component_instances}, {@code guest_threads},
   *     {@code max_total_memory}
   * @param admissionWait how long a request may wait for a free instance before a 503
   * @param observer sees each request dispatched to a module (tracing)
   * @param telemetry where the engine's metrics are recorded (and read by {@link #metricsText})
   */
  public Dispatcher(
      ModuleRegistry registry,
      PoolConfig pool,
      Duration admissionWait,
      DispatchObserver observer,
      Telemetry telemetry) {
    this.registry = requireNonNull(registry, "registry");
    this.telemetry = requireNonNull(telemetry, "telemetry");
    this.pool = requireNonNull(pool, "pool");
    this.observer = requireNonNull(observer, "observer");
    if (pool.totalComponentInstances() < 1) {
      throw new IllegalArgumentException(
          "totalInstances: " + pool.totalComponentInstances() + " (expected: >= 1)");
    }
    // A running instance holds a guest thread: no more can run than there are threads.
    this.global =
        new Semaphore(Math.min(pool.totalComponentInstances(), pool.guestThreads()), true);
    this.guests = new GuestThreads(pool.guestThreads());
    this.memory = new MemoryBudget(pool.maxTotalMemory());
    this.admissionWait = requireNonNull(admissionWait, "admissionWait");
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("wr-deadlines").daemon().factory());
    // Almost every deadline is cancelled (the request ended in time): drop them at once.
    timer.setRemoveOnCancelPolicy(true);
    this.deadlines = timer;
    this.metrics =
        new DispatchMetrics(
            telemetry.meter("io.wruntime.engine"), registry, running::get, memory::reservedBytes);
    if (!cpu.supported()) {
      LOG.warn("this JVM cannot measure thread CPU time: cpu_timeout_secs is not enforced");
    }
  }

  /**
   * With {@code totalInstances} guest threads, each module free to use all of them, and the default
   * memory budget.
   */
  public Dispatcher(
      ModuleRegistry registry,
      int totalInstances,
      Duration admissionWait,
      DispatchObserver observer) {
    this(registry, poolOf(totalInstances), admissionWait, observer);
  }

  /** With metrics in telemetry of its own, which {@link #metricsText} reads. */
  public Dispatcher(
      ModuleRegistry registry, PoolConfig pool, Duration admissionWait, DispatchObserver observer) {
    this(registry, pool, admissionWait, observer, Telemetry.notExporting("wr-engine"));
  }

  public Dispatcher(ModuleRegistry registry, int totalInstances, Duration admissionWait) {
    this(registry, totalInstances, admissionWait, DispatchObserver.NONE);
  }

  public Dispatcher(ModuleRegistry registry, int totalInstances) {
    this(registry, totalInstances, DEFAULT_ADMISSION_WAIT);
  }

  private static PoolConfig poolOf(int totalInstances) {
    if (totalInstances < 1) {
      throw new IllegalArgumentException("totalInstances: " + totalInstances + " (expected: >= 1)");
    }
    PoolConfig defaults = PoolConfig.defaults();
    return new PoolConfig(
        totalInstances,
        defaults.maxMemorySize(),
        defaults.execution(),
        totalInstances,
        totalInstances,
        defaults.maxTotalMemory());
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
   * Runs {@code request} in {@code module} within its limits: admitted on a new virtual thread, run
   * on a guest thread. Does not block. Used for inbound traffic and for calls between modules of
   * this engine.
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
    inFlight.add(exchange);
    exchange.deadline =
        deadlines.schedule(
            exchange::deadlineExceeded,
            module.limits().requestTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
    Thread.ofVirtual().name("wr-admit-" + module.label()).start(exchange::admit);
  }

  /** Requests running or waiting for an instance now. */
  public int inFlight() {
    return inFlight.size();
  }

  /**
   * Prometheus text of the request counters, CPU time and instance gauges (and of the rest of the
   * telemetry they are recorded in).
   */
  public String metricsText() {
    return telemetry.prometheusText();
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
    for (Exchange e : List.copyOf(inFlight)) {
      long left = end - System.nanoTime();
      if (left > 0) {
        e.done.await(left, TimeUnit.NANOSECONDS);
      }
    }
    List<Exchange> left = List.copyOf(inFlight);
    if (!left.isEmpty()) {
      LOG.warn("{} requests still running after {}; interrupting them", left.size(), grace);
      left.forEach(e -> e.stop(Stop.SHUTDOWN, null));
      for (Exchange e : left) {
        e.done.await(1, TimeUnit.SECONDS);
      }
    }
    deadlines.shutdownNow();
    guests.shutdown();
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
    metrics.countRefused(module, error.status());
    logFailure(module, error.status(), error.code(), error.message());
  }

  private static void logFailure(String moduleLabel, int status, String code, String reason) {
    String module = moduleLabel == null ? "-" : moduleLabel;
    // A body the module aborted keeps the status it started with (200, say) but is the module's
    // failure all the same: the client got a cut response.
    if (status >= 500 || code.equals("response_aborted")) {
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

  /**
   * The failures reported even when the client had closed the connection. Any other outcome after
   * the client went away (the module aborting or abandoning a body it can no longer write, setting
   * no response, trapping on the write error) follows from the client leaving: logged at debug.
   */
  private static final java.util.Set<String> ALWAYS_REPORTED =
      java.util.Set.of("abi_violation", "internal_error");

  /** Why a request was stopped before its module returned. */
  private enum Stop {
    DEADLINE,
    CPU_TIME,
    SHUTDOWN
  }

  /**
   * One request's run: admission on a virtual thread, the module call on a guest thread, the
   * outcome. It may be stopped (deadline, CPU time, shutdown) from the timer or a stopping thread
   * at any point: {@link #stop} interrupts whichever thread runs it then, and never a thread that
   * has moved on to another request.
   */
  private final class Exchange {
    final HostedModule module;
    final IncomingRequest request;
    final DispatchResponse response;
    final DispatchObserver.Observation observation;
    final CountDownLatch done = new CountDownLatch(1);
    final AtomicReference<Stop> stopped = new AtomicReference<>();
    volatile ScheduledFuture<?> deadline;
    volatile ScheduledFuture<?> cpuCheck;
    // Guarded by this: the thread running the exchange now (admission, then the guest thread).
    private Thread runner;
    private boolean moduleHeld;
    private boolean globalHeld;
    private long memoryHeld;
    private long cpuStart;

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

    /** On a virtual thread: waits for the module's, the engine's and the memory's admission. */
    void admit() {
      bind();
      boolean handedOff = false;
      try {
        if (stopped.get() != null) {
          interrupted();
          return;
        }
        moduleHeld = admitModule();
        globalHeld = moduleHeld && admitGlobal();
        if (globalHeld && reserveMemory()) {
          unbind();
          try {
            guests.execute(this::runGuest);
            handedOff = true;
          } catch (RejectedExecutionException e) {
            stop(Stop.SHUTDOWN, null);
            interrupted();
          }
        }
      } catch (InterruptedException e) {
        interrupted();
      } catch (RuntimeException e) {
        LOG.error("admitting a request to module {} failed in the engine", module.label(), e);
        response.fail(
            new EngineError(
                500, "internal_error", "module " + module.label() + " failed in the engine: " + e));
      } finally {
        if (!handedOff) {
          unbind();
          finish();
        }
      }
    }

    /** On a guest thread: runs the module, its CPU time counted and bounded. */
    void runGuest() {
      bind();
      try {
        if (stopped.get() != null) {
          interrupted();
          return;
        }
        running.incrementAndGet();
        cpuStart = cpu.current();
        Thread self = Thread.currentThread();
        scheduleCpuCheck(self, module.limits().cpuTimeout().toNanos());
        // A grow's transient copy comes out of the same budget as the instances' reservations.
        try (GrowthBudget.Binding growth = GrowthBudget.bind(memory)) {
          invoke();
        } finally {
          running.decrementAndGet();
          metrics.cpu(module, Math.max(0, cpu.current() - cpuStart));
        }
      } finally {
        unbind();
        finish();
      }
    }

    private synchronized void bind() {
      runner = Thread.currentThread();
    }

    /** Detaches the thread; an interrupt meant for this request does not reach its next task. */
    private void unbind() {
      synchronized (this) {
        runner = null;
      }
      Thread.interrupted();
    }

    /**
     * Stops the request for {@code why} unless it was stopped already: answers {@code error} (or
     * cuts a started response), then interrupts the thread running it.
     */
    void stop(Stop why, EngineError error) {
      if (!stopped.compareAndSet(null, why)) {
        return;
      }
      if (error != null) {
        response.fail(error);
      }
      synchronized (this) {
        if (runner != null) {
          runner.interrupt();
        }
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
                    + " ("
                    + module.limits().concurrencyLimit()
                    + ")",
                RETRY_AFTER));
      }
      return acquired;
    }

    private boolean admitGlobal() throws InterruptedException {
      if (global.tryAcquire(admissionWait.toNanos(), TimeUnit.NANOSECONDS)) {
        return true;
      }
      String limit =
          pool.guestThreads() < pool.totalComponentInstances()
              ? "pool.guest_threads = " + pool.guestThreads()
              : "total_component_instances = " + pool.totalComponentInstances();
      response.fail(
          new EngineError(
              503,
              "no_instance_available",
              "the engine had no free instance within "
                  + seconds(admissionWait)
                  + " ("
                  + limit
                  + ")",
              RETRY_AFTER));
      return false;
    }

    private boolean reserveMemory() throws InterruptedException {
      long bytes = module.module().maxMemoryBytes();
      if (memory.reserve(bytes, admissionWait)) {
        memoryHeld = bytes;
        return true;
      }
      response.fail(
          new EngineError(
              503,
              "memory_budget_exhausted",
              "the engine's memory budget had no room for an instance of module "
                  + module.label()
                  + " ("
                  + bytes
                  + " bytes of linear memory) within "
                  + seconds(admissionWait)
                  + " (pool.max_total_memory = "
                  + memory.totalBytes()
                  + ", reserved: "
                  + memory.reservedBytes()
                  + ")",
              RETRY_AFTER));
      return false;
    }

    /**
     * Checks the guest thread's CPU time when it could first have used {@code inNanos} more: a
     * thread cannot use more CPU time than wall-clock time, so no polling is needed in between.
     */
    private void scheduleCpuCheck(Thread guest, long inNanos) {
      if (!cpu.supported()) {
        return;
      }
      cpuCheck =
          deadlines.schedule(() -> checkCpu(guest), Math.max(inNanos, 1), TimeUnit.NANOSECONDS);
    }

    private void checkCpu(Thread guest) {
      long used;
      synchronized (this) {
        if (runner != guest) {
          return; // The module returned; the thread serves another request now.
        }
        used = cpu.of(guest) - cpuStart;
      }
      long limit = module.limits().cpuTimeout().toNanos();
      if (used >= limit) {
        stop(Stop.CPU_TIME, cpuTimeError());
      } else if (used >= 0) {
        scheduleCpuCheck(guest, limit - used);
      }
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
        EngineError error = guestError(e);
        if (response.headSent() && !response.bodyOpen() && response.error() == null) {
          // The client has its whole answer; the failure is still the module's to hear about.
          LOG.warn(
              "module failed after its response was complete: module={} code={} reason={}",
              label,
              error.code(),
              error.message());
        }
        response.fail(error);
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
      Stop why = stopped.get();
      if (why == Stop.CPU_TIME) {
        return cpuTimeError();
      }
      if (why == Stop.SHUTDOWN || (why == null && shuttingDown)) {
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

    private EngineError cpuTimeError() {
      return new EngineError(
          504,
          "cpu_time_exceeded",
          "module "
              + module.label()
              + " used more than "
              + seconds(module.limits().cpuTimeout())
              + " of CPU time (cpu_timeout_secs)");
    }

    /** On the deadline timer: answer 504 (or cut a started response), then stop the module. */
    void deadlineExceeded() {
      stop(Stop.DEADLINE, deadlineError());
    }

    /** Gives back what admission took and records the outcome; once, on the last thread. */
    private void finish() {
      deadline.cancel(false);
      ScheduledFuture<?> check = cpuCheck;
      if (check != null) {
        check.cancel(false);
      }
      if (memoryHeld > 0) {
        memory.release(memoryHeld);
      }
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
      inFlight.remove(this);
      done.countDown();
      record();
    }

    private void record() {
      EngineError error = response.error();
      if (error != null
          && response.clientClosed()
          && !response.errorAnsweredWhileClientThere()
          && !ALWAYS_REPORTED.contains(error.code())) {
        // The module's response could not go out because the client had gone: not its failure.
        error =
            new EngineError(
                error.status(),
                "client_closed",
                "the client closed the connection before module "
                    + module.label()
                    + " finished its response ("
                    + error.code()
                    + ": "
                    + error.message()
                    + ")");
        observation.ended(response.status(), error);
        metrics.count(module, response.status());
        LOG.debug("request ended: module={} {}", module.label(), error.message());
        return;
      }
      observation.ended(response.status(), error);
      metrics.count(module, response.status());
      if (error != null) {
        String message = error.message();
        if (response.clientClosed()) {
          message += " (the client had closed the connection)";
        }
        logFailure(module.label(), error.status(), error.code(), message);
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
