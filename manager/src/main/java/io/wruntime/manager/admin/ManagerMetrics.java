package io.wruntime.manager.admin;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.manager.registry.RegistryStats;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The registry's gauges as OpenTelemetry instruments, read once per collection from one {@link
 * RegistryStats}, plus the number of open WatchRoutingTable streams.
 */
public final class ManagerMetrics {
  private static final AttributeKey<String> STATE = AttributeKey.stringKey("state");
  private static final AttributeKey<String> HEALTHY = AttributeKey.stringKey("healthy");
  private static final Attributes HEALTHY_ENGINES = Attributes.of(STATE, "healthy");
  private static final Attributes UNHEALTHY_ENGINES = Attributes.of(STATE, "unhealthy");
  private static final Attributes DEREGISTERED_ENGINES = Attributes.of(STATE, "deregistered");
  private static final Attributes HEALTHY_ROUTES = Attributes.of(HEALTHY, "true");
  private static final Attributes UNHEALTHY_ROUTES = Attributes.of(HEALTHY, "false");

  private final Telemetry telemetry;

  /**
   * Registers the gauges in {@code telemetry}.
   *
   * @param stats the registry's counts now
   * @param watchers open WatchRoutingTable streams now
   */
  public ManagerMetrics(Telemetry telemetry, Supplier<RegistryStats> stats, IntSupplier watchers) {
    this.telemetry = requireNonNull(telemetry, "telemetry");
    requireNonNull(stats, "stats");
    requireNonNull(watchers, "watchers");
    Meter meter = telemetry.meter("io.wruntime.manager");
    ObservableLongMeasurement version =
        gauge(meter, "wr_manager_routing_table_version", "Current routing-table version.");
    ObservableLongMeasurement engines =
        gauge(meter, "wr_manager_engines", "Registered engines by state.");
    ObservableLongMeasurement routes =
        gauge(meter, "wr_manager_routes", "Routes of registered modules by health.");
    ObservableLongMeasurement rules =
        gauge(meter, "wr_manager_routing_rules", "Admin routing rules.");
    ObservableLongMeasurement schemas =
        gauge(meter, "wr_manager_schemas", "Stored module-version schemas.");
    ObservableLongMeasurement services =
        gauge(meter, "wr_manager_services", "Services (namespace, module) ever registered.");
    ObservableLongMeasurement streams =
        gauge(meter, "wr_manager_routing_table_watchers", "Open WatchRoutingTable streams.");
    meter.batchCallback(
        () -> {
          RegistryStats s = stats.get();
          version.record(s.routingTableVersion());
          engines.record(s.healthyEngines(), HEALTHY_ENGINES);
          engines.record(
              s.engines() - s.healthyEngines() - s.deregisteredEngines(), UNHEALTHY_ENGINES);
          engines.record(s.deregisteredEngines(), DEREGISTERED_ENGINES);
          routes.record(s.healthyRoutes(), HEALTHY_ROUTES);
          routes.record(s.routes() - s.healthyRoutes(), UNHEALTHY_ROUTES);
          rules.record(s.rules());
          schemas.record(s.schemas());
          services.record(s.services());
          streams.record(watchers.getAsInt());
        },
        version,
        engines,
        routes,
        rules,
        schemas,
        services,
        streams);
  }

  private static ObservableLongMeasurement gauge(Meter meter, String name, String description) {
    return meter.gaugeBuilder(name).ofLongs().setDescription(description).buildObserver();
  }

  /** The Prometheus text of the manager's telemetry. */
  public String render() {
    return telemetry.prometheusText();
  }
}
