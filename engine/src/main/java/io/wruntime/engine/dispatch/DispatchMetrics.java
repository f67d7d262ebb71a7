package io.wruntime.engine.dispatch;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Request counts by module and status, and instance gauges, in Prometheus text form. */
final class DispatchMetrics {
  private record Key(String module, int status) {}

  private final ConcurrentHashMap<Key, LongAdder> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> cpuNanos = new ConcurrentHashMap<>();

  void count(String module, int status) {
    requests.computeIfAbsent(new Key(module, status), k -> new LongAdder()).increment();
  }

  /** Adds {@code nanos} of CPU time a request of {@code module} used on its guest thread. */
  void cpu(String module, long nanos) {
    cpuNanos.computeIfAbsent(module, k -> new LongAdder()).add(nanos);
  }

  String render(ModuleRegistry registry, int guestThreadsBusy, long memoryReserved) {
    StringBuilder out = new StringBuilder(512);
    out.append("# HELP wr_engine_requests_total Requests dispatched, by module and status.\n");
    out.append("# TYPE wr_engine_requests_total counter\n");
    Map<String, Long> sorted = new TreeMap<>();
    requests.forEach(
        (k, v) ->
            sorted.put(
                "{module=\"" + escape(k.module()) + "\",status=\"" + k.status() + "\"}", v.sum()));
    sorted.forEach(
        (labels, v) ->
            out.append("wr_engine_requests_total")
                .append(labels)
                .append(' ')
                .append(v)
                .append('\n'));
    out.append("# HELP wr_engine_instances_active Module instances running now.\n");
    out.append("# TYPE wr_engine_instances_active gauge\n");
    for (HostedModule m : registry.all()) {
      gauge(out, "wr_engine_instances_active", m, m.activeInstances());
    }
    out.append("# HELP wr_engine_requests_waiting Requests waiting for a free instance.\n");
    out.append("# TYPE wr_engine_requests_waiting gauge\n");
    for (HostedModule m : registry.all()) {
      gauge(out, "wr_engine_requests_waiting", m, m.waitingRequests());
    }
    out.append("# HELP wr_engine_module_ready 1 when the module loaded, 0 when it failed to.\n");
    out.append("# TYPE wr_engine_module_ready gauge\n");
    for (HostedModule m : registry.all()) {
      gauge(out, "wr_engine_module_ready", m, m.isReady() ? 1 : 0);
    }
    out.append(
        "# HELP wr_engine_cpu_seconds_total CPU time modules used on guest threads, by module.\n");
    out.append("# TYPE wr_engine_cpu_seconds_total counter\n");
    for (Map.Entry<String, LongAdder> e : new TreeMap<>(cpuNanos).entrySet()) {
      out.append("wr_engine_cpu_seconds_total{module=\"")
          .append(escape(e.getKey()))
          .append("\"} ")
          .append(e.getValue().sum() / 1e9)
          .append('\n');
    }
    out.append("# HELP wr_engine_guest_threads_busy Guest threads running a module now.\n");
    out.append("# TYPE wr_engine_guest_threads_busy gauge\n");
    out.append("wr_engine_guest_threads_busy ").append(guestThreadsBusy).append('\n');
    out.append(
        "# HELP wr_engine_memory_reserved_bytes Linear memory reserved by running instances.\n");
    out.append("# TYPE wr_engine_memory_reserved_bytes gauge\n");
    out.append("wr_engine_memory_reserved_bytes ").append(memoryReserved).append('\n');
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, HostedModule m, long value) {
    out.append(name)
        .append("{module=\"")
        .append(escape(m.label()))
        .append("\"} ")
        .append(value)
        .append('\n');
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
