package io.wruntime.operator;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.wruntime.common.admin.AdminServer;
import io.wruntime.operator.config.OperatorConfig;
import io.wruntime.operator.reconciler.WasmModuleReconciler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running operator: the WasmModule controller on a JOSDK {@link Operator}, leader election among
 * replicas, and the admin listener ({@code /healthz}, {@code /readyz}, {@code /metrics}).
 */
public final class WruntimeOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WruntimeOperator.class);
  private static final Duration LEASE_DURATION = Duration.ofSeconds(15);
  private static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
  private static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

  private final Operator operator;
  private final AdminServer admin;
  private final AtomicBoolean stopping;

  private WruntimeOperator(Operator operator, AdminServer admin, AtomicBoolean stopping) {
    this.operator = operator;
    this.admin = admin;
    this.stopping = stopping;
  }

  /**
   * Starts reconciling with {@code client} (which the operator closes when it stops).
   *
   * @param identity this replica's name in the leader election (the pod name)
   * @throws IOException when the admin address cannot be bound
   */
  public static WruntimeOperator start(
      OperatorConfig config, KubernetesClient client, String identity) throws IOException {
    return start(config, client, identity, true, () -> {});
  }

  /**
   * Starts reconciling, choosing how resources are written.
   *
   * @param serverSideApply true (production): dependents and the status are written with
   *     server-side apply; false only for API servers that lack it, such as the Fabric8 mock
   *     server, where they are written with updates and merge patches
   * @param lostLeadership called when this replica loses the lease while running (another may
   *     already reconcile): the process should stop, and its pod restart as a follower
   */
  public static WruntimeOperator start(
      OperatorConfig config,
      KubernetesClient client,
      String identity,
      boolean serverSideApply,
      Runnable lostLeadership)
      throws IOException {
    requireNonNull(config, "config");
    requireNonNull(client, "client");
    requireNonNull(identity, "identity");
    requireNonNull(lostLeadership, "lostLeadership");
    AtomicBoolean leading = new AtomicBoolean(!config.leaderElection().enabled());
    AtomicBoolean stopping = new AtomicBoolean();
    OperatorMetrics metrics = new OperatorMetrics(() -> leading.get() ? 1 : 0);
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withMetrics(metrics)
                  .withCloseClientOnStop(true)
                  .withUseSSAToPatchPrimaryResource(serverSideApply)
                  .withSSABasedCreateUpdateMatchForDependentResources(serverSideApply);
              if (config.leaderElection().enabled()) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        config.leaderElection().leaseName(),
                        config.leaderElection().leaseNamespace(),
                        LEASE_DURATION,
                        RENEW_DEADLINE,
                        RETRY_PERIOD,
                        identity,
                        new LeaderCallbacks(
                            () -> {
                              leading.set(true);
                              LOG.info("leading: reconciling WasmModules as {}", identity);
                            },
                            () -> {
                              leading.set(false);
                              if (!stopping.get()) {
                                LOG.error("lost the leader lease while running: stopping");
                                lostLeadership.run();
                              }
                            },
                            leader -> LOG.info("leader is {}", leader)),
                        // JOSDK would call System.exit; the caller decides instead.
                        false));
              }
            });
    operator.register(
        new WasmModuleReconciler(config, Clock.systemUTC()),
        overrider -> {
          if (config.watchNamespaces().isEmpty()) {
            overrider.watchingAllNamespaces();
          } else {
            overrider.settingNamespaces(new HashSet<>(config.watchNamespaces()));
          }
        });
    AdminServer admin =
        AdminServer.start(
            config.adminAddress(),
            () -> {
              if (!operator.getRuntimeInfo().isStarted()) {
                return "the operator is starting";
              }
              if (leading.get() && !operator.getRuntimeInfo().allEventSourcesAreHealthy()) {
                return "informers unhealthy: "
                    + operator.getRuntimeInfo().unhealthyEventSources().keySet();
              }
              return null;
            },
            metrics::render);
    try {
      operator.start();
    } catch (RuntimeException e) {
      admin.close();
      throw e;
    }
    LOG.info(
        "operator started: watching {} (admin on {}), leader election {}",
        config.watchNamespaces().isEmpty() ? "all namespaces" : config.watchNamespaces(),
        admin.address(),
        config.leaderElection().enabled()
            ? "on (lease " + config.leaderElection().leaseName() + ")"
            : "off");
    return new WruntimeOperator(operator, admin, stopping);
  }

  /** The bound admin address (the real port when configured as 0). */
  public InetSocketAddress adminAddress() {
    return admin.address();
  }

  /** Stops reconciling (a running reconciliation finishes first), then the admin listener. */
  @Override
  public void close() {
    stopping.set(true);
    try {
      operator.stop();
    } finally {
      admin.close();
    }
  }
}
