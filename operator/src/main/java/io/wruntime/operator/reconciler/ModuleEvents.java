package io.wruntime.operator.reconciler;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.operator.model.Labels;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records Kubernetes Events on WasmModules, as {@code kubectl describe wm} shows them. */
final class ModuleEvents {
  private static final Logger LOG = LoggerFactory.getLogger(ModuleEvents.class);

  private final KubernetesClient client;

  ModuleEvents(KubernetesClient client) {
    this.client = requireNonNull(client, "client");
  }

  void warning(WasmModule wm, String reason, String message) {
    record(wm, "Warning", reason, message);
  }

  void normal(WasmModule wm, String reason, String message) {
    record(wm, "Normal", reason, message);
  }

  private void record(WasmModule wm, String type, String reason, String message) {
    String now =
        DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(wm.getMetadata().getName() + ".")
            .withNamespace(wm.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(wm.getApiVersion())
            .withKind(wm.getKind())
            .withName(wm.getMetadata().getName())
            .withNamespace(wm.getMetadata().getNamespace())
            .withUid(wm.getMetadata().getUid())
            .withResourceVersion(wm.getMetadata().getResourceVersion())
            .endInvolvedObject()
            .withType(type)
            .withReason(reason)
            // The API server caps an Event's message at 1 KiB.
            .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
            .withNewSource()
            .withComponent(Labels.OPERATOR)
            .endSource()
            .withReportingComponent("wruntime.io/operator")
            .withReportingInstance(Labels.OPERATOR)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    try {
      client.v1().events().inNamespace(wm.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // An Event is a courtesy: failing to record one must not fail the reconciliation.
      LOG.warn(
          "could not record event {} on WasmModule {}/{}: {}",
          reason,
          wm.getMetadata().getNamespace(),
          wm.getMetadata().getName(),
          e.getMessage());
    }
  }
}
