package io.wruntime.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/** Counts reconciliations for {@code /metrics}, in the Prometheus text exposition format. */
final class OperatorMetrics implements Metrics {
  private final LongAdder started = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final IntSupplier leader;

  /**
   * @param leader 1 while this replica leads (reconciles), else 0
   */
  OperatorMetrics(IntSupplier leader) {
    this.leader = leader;
  }

  @Override
  public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
    started.increment();
  }

  @Override
  public void reconciliationSucceeded(HasMetadata resource, Map<String, Object> metadata) {
    succeeded.increment();
  }

  @Override
  public void reconciliationFailed(
      HasMetadata resource, RetryInfo retry, Exception exception, Map<String, Object> metadata) {
    failed.increment();
  }

  String render() {
    StringBuilder out = new StringBuilder(512);
    out.append("# HELP wr_operator_reconciliations_total WasmModule reconciliations by outcome.\n")
        .append("# TYPE wr_operator_reconciliations_total counter\n")
        .append("wr_operator_reconciliations_total{result=\"started\"} ")
        .append(started.sum())
        .append('\n')
        .append("wr_operator_reconciliations_total{result=\"succeeded\"} ")
        .append(succeeded.sum())
        .append('\n')
        .append("wr_operator_reconciliations_total{result=\"failed\"} ")
        .append(failed.sum())
        .append('\n')
        .append("# HELP wr_operator_leader Whether this replica leads (1) and reconciles.\n")
        .append("# TYPE wr_operator_leader gauge\n")
        .append("wr_operator_leader ")
        .append(leader.getAsInt())
        .append('\n');
    return out.toString();
  }
}
