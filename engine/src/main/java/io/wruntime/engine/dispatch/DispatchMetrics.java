package io.wruntime.engine.dispatch;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.wruntime.common.telemetry.StatusLabel;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The engine's instruments: requests by module and status, CPU time by module, and the instance,
 * thread and memory gauges. The {@code module} label is always a hosted module ({@code
 * namespace.name@version}) or {@code unknown} for a request that named none of them, so callers
 * cannot create series.
 */
final class DispatchMetrics {
  static final String UNKNOWN = "unknown";
  private static final AttributeKey<String> MODULE = AttributeKey.stringKey("module");
  private static final AttributeKey<String> STATUS = AttributeKey.stringKey("status");

  private final ModuleRegistry registry;
  private final LongCounter requests;
  private final DoubleCounter cpu;

  DispatchMetrics(
      Meter meter, ModuleRegistry registry, IntSupplier guestThreadsBusy, LongSupplier reserved) {
    this.registry = registry;
    requests =
        meter
            .counterBuilder("wr_engine_requests")
            .setDescription("Requests dispatched, by module and status.")
            .build();
    cpu =
        meter
            .counterBuilder("wr_engine_cpu")
            .ofDoubles()
            .setUnit("s")
            .setDescription("CPU time modules used on guest threads, by module.")
            .build();
    perModule(
        meter,
        "wr_engine_instances_active",
        "Module instances running now.",
        HostedModule::activeInstances);
    perModule(
        meter,
        "wr_engine_requests_waiting",
        "Requests waiting for a free instance.",
        HostedModule::waitingRequests);
    perModule(
        meter,
        "wr_engine_module_ready",
        "1 when the module loaded, 0 when it failed to.",
        m -> m.isReady() ? 1 : 0);
    meter
        .gaugeBuilder("wr_engine_guest_threads_busy")
        .ofLongs()
        .setDescription("Guest threads running a module now.")
        .buildWithCallback(m -> m.record(guestThreadsBusy.getAsInt()));
    meter
        .gaugeBuilder("wr_engine_memory_reserved")
        .ofLongs()
        .setUnit("By")
        .setDescription("Linear memory reserved by running instances.")
        .buildWithCallback(m -> m.record(reserved.getAsLong()));
  }

  private void perModule(
      Meter meter, String name, String description, ToLongFunction<HostedModule> value) {
    meter
        .gaugeBuilder(name)
        .ofLongs()
        .setDescription(description)
        .buildWithCallback(
            m -> {
              for (HostedModule module : registry.all()) {
                m.record(value.applyAsLong(module), Attributes.of(MODULE, module.label()));
              }
            });
  }

  /** Counts a request to the hosted {@code module} answered with {@code status}. */
  void count(HostedModule module, int status) {
    requests.add(1, Attributes.of(MODULE, module.label(), STATUS, StatusLabel.of(status)));
  }

  /**
   * Counts a request refused before it reached a module; {@code requested} is the label the request
   * named (or null), kept only when it is a hosted module.
   */
  void countRefused(String requested, int status) {
    String module =
        requested != null && registry.labels().contains(requested) ? requested : UNKNOWN;
    requests.add(1, Attributes.of(MODULE, module, STATUS, StatusLabel.of(status)));
  }

  /** Adds {@code nanos} of CPU time a request of {@code module} used on its guest thread. */
  void cpu(HostedModule module, long nanos) {
    cpu.add(nanos / 1e9, Attributes.of(MODULE, module.label()));
  }
}
