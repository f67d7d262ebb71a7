package io.wruntime.engine.registration;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.http.WrHeaders;
import io.wruntime.engine.dispatch.Dispatcher;
import io.wruntime.engine.dispatch.HostedModule;
import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.ResponseSink;
import io.wruntime.proto.v1.ModuleHealth;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes each module with {@code GET /__health} at a fixed interval, through the engine's own
 * dispatcher (in-process, within the module's limits, as any request): an answer with a 2xx status
 * within the timeout means healthy. The latest result of each module goes into the engine's
 * heartbeats. A change of a module's health is one log line.
 */
public final class ModuleHealthMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModuleHealthMonitor.class);

  /** The path probed; the guest SDKs answer it with 200. */
  public static final String PATH = "/__health";

  /** How long a module has to answer a probe: 5 s, as the original. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final Dispatcher dispatcher;
  private final List<HostedModule> modules;
  private final Duration interval;
  private final Duration timeout;
  private final Map<HostedModule, ModuleHealth> latest = new ConcurrentHashMap<>();
  private final Map<HostedModule, Probe> running = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;

  /**
   * @param modules the modules to probe (those that loaded)
   * @param interval time between two probes of a module
   * @param timeout how long a module has to answer a probe
   */
  public ModuleHealthMonitor(
      Dispatcher dispatcher, List<HostedModule> modules, Duration interval, Duration timeout) {
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
    this.modules = List.copyOf(requireNonNull(modules, "modules"));
    this.interval = requireNonNull(interval, "interval");
    this.timeout = requireNonNull(timeout, "timeout");
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("wr-health").daemon().factory());
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.timer = executor;
  }

  /** Probes every module now and then every interval, until closed. */
  public ModuleHealthMonitor start() {
    timer.scheduleWithFixedDelay(this::probeAll, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    return this;
  }

  /**
   * The latest health of each module probed at least once, in module order. Modules not probed yet
   * are left out (a heartbeat without them keeps their previous state).
   */
  public List<ModuleHealth> report() {
    List<ModuleHealth> out = new ArrayList<>(modules.size());
    for (HostedModule m : modules) {
      ModuleHealth health = latest.get(m);
      if (health != null) {
        out.add(health);
      }
    }
    return out;
  }

  /** Stops probing; probes running finish on their own. */
  @Override
  public void close() {
    timer.shutdownNow();
  }

  private void probeAll() {
    for (HostedModule module : modules) {
      try {
        probe(module);
      } catch (RuntimeException e) {
        LOG.error("probing module {} failed in the engine", module.label(), e);
      }
    }
  }

  /** Starts one probe; the result is recorded when it answers or times out. Does not block. */
  void probe(HostedModule module) {
    Probe previous = running.get(module);
    if (previous != null && !previous.finished()) {
      // A module that hangs would otherwise collect one stuck instance per interval; its probe
      // recorded "no answer" when it timed out, and that stands until a probe answers.
      return;
    }
    Probe probe = new Probe();
    running.put(module, probe);
    IncomingRequest request =
        new IncomingRequest(
            "GET",
            "http",
            module.namespace() + "." + module.name(),
            PATH,
            List.of(
                Field.of(WrHeaders.NAMESPACE, module.namespace()),
                Field.of(WrHeaders.MODULE, module.name()),
                Field.of(WrHeaders.VERSION, module.version())),
            BodySource.empty());
    probe
        .answer
        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (outcome, failure) -> {
              if (failure instanceof TimeoutException) {
                record(module, false, "GET " + PATH + ": no answer within " + seconds(timeout));
              } else if (failure != null) {
                record(module, false, "GET " + PATH + ": " + failure);
              } else if (outcome.status() >= 200 && outcome.status() < 300) {
                record(module, true, "");
              } else {
                record(
                    module,
                    false,
                    "GET "
                        + PATH
                        + ": "
                        + outcome.status()
                        + (outcome.body().isEmpty() ? "" : " " + outcome.body()));
              }
            });
    dispatcher.dispatch(module, request, probe);
  }

  private void record(HostedModule module, boolean healthy, String detail) {
    ModuleHealth health =
        ModuleHealth.newBuilder()
            .setRef(ModuleRegistrations.ref(module))
            .setHealthy(healthy)
            .setDetail(detail)
            .build();
    ModuleHealth before = latest.put(module, health);
    if (before == null || before.getHealthy() != healthy) {
      if (healthy) {
        if (before != null) {
          LOG.info("module {} is healthy again", module.label());
        }
      } else {
        LOG.warn("module {} is unhealthy: {}", module.label(), detail);
      }
    }
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** How a probe was answered: the status, and the start of the body when it is not 2xx. */
  private record Outcome(int status, String body) {}

  /**
   * One probe's response. A 2xx status is all that counts; otherwise the first bytes of the body
   * (the module's reason, or the engine's JSON error) go into the detail. The rest is dropped.
   */
  private static final class Probe implements ResponseSink, BodySink {
    /** How much of a failed probe's body goes into the heartbeat's detail. */
    private static final int DETAIL_BYTES = 256;

    final CompletableFuture<Outcome> answer = new CompletableFuture<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private volatile int status;
    private volatile boolean done;

    boolean finished() {
      return done;
    }

    @Override
    public BodySink start(int status, List<Field> headers) {
      this.status = status;
      if (status >= 200 && status < 300) {
        answer.complete(new Outcome(status, ""));
      }
      return this;
    }

    @Override
    public void fail(EngineError error) {
      done = true;
      answer.complete(new Outcome(error.status(), error.message()));
    }

    @Override
    public boolean isStarted() {
      return status != 0;
    }

    @Override
    public long capacity() {
      return Integer.MAX_VALUE;
    }

    @Override
    public void write(byte[] data, int offset, int length) {
      synchronized (body) {
        int keep = Math.min(length, DETAIL_BYTES - body.size());
        if (keep > 0) {
          body.write(data, offset, keep);
        }
      }
      if (body.size() >= DETAIL_BYTES) {
        complete();
      }
    }

    @Override
    public void awaitWritable() {}

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void finish(List<Field> trailers) {
      done = true;
      complete();
    }

    @Override
    public void abort(String reason) {
      done = true;
      complete();
    }

    @Override
    public void addListener(Runnable listener) {}

    private void complete() {
      String text;
      synchronized (body) {
        text = body.toString(StandardCharsets.UTF_8);
      }
      answer.complete(new Outcome(status, printable(text)));
    }

    private static String printable(String text) {
      StringBuilder out = new StringBuilder(text.length());
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        out.append(Character.isISOControl(c) ? ' ' : c);
      }
      return out.toString().strip();
    }
  }
}
