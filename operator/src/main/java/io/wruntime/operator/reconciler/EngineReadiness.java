package io.wruntime.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.wruntime.operator.model.PodLayout;
import io.wruntime.operator.model.SpecProblem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Why a module's engine pods are not ready, in the engine's own words: for a pod whose engine
 * container runs but is not ready, the operator asks the engine's {@code /readyz} (the same
 * endpoint the readiness probe uses), which names each module that failed to load and why — a
 * digest mismatch, an unreachable registry, a malformed binary.
 */
final class EngineReadiness {
  static final String MODULE_LOAD_FAILED = "ModuleLoadFailed";
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();

  /** The first module-load failure an engine of {@code pods} reports, if any. */
  Optional<SpecProblem> failure(Stream<Pod> pods) {
    return pods.filter(EngineReadiness::runningButNotReady)
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(this::ask)
        .flatMap(Optional::stream)
        .findFirst();
  }

  private static boolean runningButNotReady(Pod pod) {
    if (pod.getStatus() == null
        || pod.getStatus().getPodIP() == null
        || pod.getMetadata().getDeletionTimestamp() != null
        || pod.getStatus().getContainerStatuses() == null) {
      return false;
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(s -> s.getName().equals("engine"))
        .anyMatch(EngineReadiness::runningUnready);
  }

  private static boolean runningUnready(ContainerStatus status) {
    return !Boolean.TRUE.equals(status.getReady())
        && status.getState() != null
        && status.getState().getRunning() != null;
  }

  private Optional<SpecProblem> ask(Pod pod) {
    int port = adminPort(pod);
    String host = pod.getStatus().getPodIP();
    URI uri =
        URI.create(
            "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/readyz");
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      for (JsonNode module : body.path("modules")) {
        if ("failed".equals(module.path("state").asText())) {
          return Optional.of(
              new SpecProblem(
                  MODULE_LOAD_FAILED,
                  "pod "
                      + pod.getMetadata().getName()
                      + ": module "
                      + module.path("module").asText()
                      + " failed to load: "
                      + module.path("error").asText("no reason given")));
        }
      }
    } catch (IOException e) {
      // An engine that does not answer (yet) tells nothing; its probes will.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.empty();
  }

  private static int adminPort(Pod pod) {
    return pod.getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("engine"))
        .map(Container::getPorts)
        .flatMap(ports -> ports == null ? Stream.empty() : ports.stream())
        .filter(p -> PodLayout.ENGINE_ADMIN_PORT_NAME.equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElse(PodLayout.ENGINE_ADMIN_PORT);
  }
}
