package io.wruntime.operator.model;

import static io.wruntime.operator.model.PodLayout.CONFIG_DIR;
import static io.wruntime.operator.model.PodLayout.ENGINE_ADMIN_PORT;
import static io.wruntime.operator.model.PodLayout.ENGINE_ADMIN_PORT_NAME;
import static io.wruntime.operator.model.PodLayout.ENGINE_TOML;
import static io.wruntime.operator.model.PodLayout.MODULE_DIR;
import static io.wruntime.operator.model.PodLayout.MODULE_FILE;
import static io.wruntime.operator.model.PodLayout.PEER_PORT;
import static io.wruntime.operator.model.PodLayout.PEER_PORT_NAME;
import static io.wruntime.operator.model.PodLayout.PROXY_ADMIN_PORT;
import static io.wruntime.operator.model.PodLayout.PROXY_ADMIN_PORT_NAME;
import static io.wruntime.operator.model.PodLayout.PROXY_TOML;
import static io.wruntime.operator.model.PodLayout.REGISTRY_AUTH_DIR;
import static io.wruntime.operator.model.PodLayout.SECRETS_DIR;
import static io.wruntime.operator.model.PodLayout.SECRET_ENV_PREFIX;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.wruntime.crds.v1alpha1.Capabilities;
import io.wruntime.crds.v1alpha1.ContainerResources;
import io.wruntime.crds.v1alpha1.KeyReference;
import io.wruntime.crds.v1alpha1.ModuleEnvVar;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.crds.v1alpha1.WasmModuleSpec;
import io.wruntime.operator.config.PodDefaults;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Deployment of a module: pods with container {@code engine} (the module, on loopback) and
 * container {@code proxy} (its sidecar, the peer port), hardened (non-root, read-only root
 * filesystem, no privilege escalation, no capabilities), probed on their admin endpoints.
 */
public final class DeploymentModel {
  /** Engine stop grace (30 s) plus time for the proxy to drain. */
  static final long TERMINATION_GRACE_SECONDS = 35;

  private static final String CONFIG_VOLUME = "config";
  private static final String MODULE_VOLUME = "module";
  private static final String TMP_VOLUME = "tmp";
  private static final String NODE_TLS_VOLUME = "node-tls";
  private static final String REGISTRY_AUTH_VOLUME = "registry-auth";

  /** The key of a {@code kubernetes.io/dockerconfigjson} Secret. */
  public static final String DOCKER_CONFIG_KEY = ".dockerconfigjson";

  private DeploymentModel() {}

  public static Deployment build(ModulePlan plan) {
    WasmModule wm = plan.module();
    WasmModuleSpec spec = wm.getSpec();
    PodDefaults defaults = plan.defaults();

    Map<String, String> podLabels = new LinkedHashMap<>();
    if (spec.podLabels() != null) {
      podLabels.putAll(spec.podLabels());
    }
    podLabels.putAll(Labels.of(wm));
    Map<String, String> podAnnotations = new LinkedHashMap<>();
    if (spec.podAnnotations() != null) {
      podAnnotations.putAll(spec.podAnnotations());
    }
    podAnnotations.put(Labels.CONFIG_HASH, plan.configHash());
    podAnnotations.put("kubectl.kubernetes.io/default-container", "engine");

    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> engineMounts = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName(CONFIG_VOLUME)
            .withNewConfigMap()
            .withName(plan.configMapName())
            .endConfigMap()
            .build());
    engineMounts.add(mount(CONFIG_VOLUME, CONFIG_DIR));
    KeyReference wasm = spec.source().configMapRef();
    if (wasm != null) {
      volumes.add(
          new VolumeBuilder()
              .withName(MODULE_VOLUME)
              .withNewConfigMap()
              .withName(wasm.name())
              .withItems(new KeyToPath(wasm.key(), null, MODULE_FILE))
              .endConfigMap()
              .build());
      engineMounts.add(mount(MODULE_VOLUME, MODULE_DIR));
    }
    List<LocalObjectReference> pullSecrets = EngineToml.pullSecrets(spec.source());
    if (!pullSecrets.isEmpty()) {
      // One projected volume: each Secret's .dockerconfigjson as <index>.json, all of which the
      // engine reads (the first naming a registry wins, like the kubelet's imagePullSecrets).
      List<VolumeProjection> sources = new ArrayList<>();
      for (int i = 0; i < pullSecrets.size(); i++) {
        sources.add(
            new VolumeProjectionBuilder()
                .withNewSecret()
                .withName(pullSecrets.get(i).getName())
                .withItems(new KeyToPath(DOCKER_CONFIG_KEY, null, i + ".json"))
                .endSecret()
                .build());
      }
      volumes.add(
          new VolumeBuilder()
              .withName(REGISTRY_AUTH_VOLUME)
              .withNewProjected()
              .withSources(sources)
              .withDefaultMode(0440)
              .endProjected()
              .build());
      engineMounts.add(mount(REGISTRY_AUTH_VOLUME, REGISTRY_AUTH_DIR));
    }
    volumes.add(
        new VolumeBuilder()
            .withName(TMP_VOLUME)
            .withNewEmptyDir()
            .withSizeLimit(new Quantity("256Mi"))
            .endEmptyDir()
            .build());
    engineMounts.add(mount(TMP_VOLUME, "/tmp"));
    capabilityVolumes(spec.capabilities(), volumes, engineMounts);
    if (defaults.nodeTlsSecret() != null) {
      // The node certificate, for the proxy only: the engine talks to it over loopback.
      volumes.add(
          new VolumeBuilder()
              .withName(NODE_TLS_VOLUME)
              .withNewSecret()
              .withSecretName(defaults.nodeTlsSecret())
              .withItems(
                  new KeyToPath("tls.crt", null, "tls.crt"),
                  new KeyToPath("tls.key", null, "tls.key"),
                  new KeyToPath("ca.crt", null, "ca.crt"))
              // Owned by root and the pod sets no fsGroup: the proxy's user (10001) reads them as
              // "other". Only the proxy container mounts the volume.
              .withDefaultMode(0444)
              .endSecret()
              .build());
    }

    List<EnvVar> engineEnv = podEnv(defaults, "wr-engine", plan);
    for (ModuleEnvVar variable : spec.env() == null ? List.<ModuleEnvVar>of() : spec.env()) {
      if (variable.secretKeyRef() != null) {
        engineEnv.add(
            new EnvVarBuilder()
                .withName(SECRET_ENV_PREFIX + variable.name())
                .withNewValueFrom()
                .withNewSecretKeyRef()
                .withName(variable.secretKeyRef().name())
                .withKey(variable.secretKeyRef().key())
                .endSecretKeyRef()
                .endValueFrom()
                .build());
      }
    }

    ContainerResources resources = spec.resources();
    Container engine =
        new ContainerBuilder()
            .withName("engine")
            .withImage(defaults.engineImage())
            .withImagePullPolicy(defaults.imagePullPolicy())
            .withArgs("--config", CONFIG_DIR + "/" + ENGINE_TOML)
            .withPorts(port(ENGINE_ADMIN_PORT_NAME, ENGINE_ADMIN_PORT))
            .withEnv(engineEnv)
            .withVolumeMounts(engineMounts)
            .withResources(
                resources != null && resources.engine() != null
                    ? resources.engine()
                    : copy(defaults.engineResources()))
            .withSecurityContext(containerSecurity())
            // Compiling a large module can take a while: the startup probe allows two minutes
            // before liveness takes over.
            .withStartupProbe(probe("/healthz", ENGINE_ADMIN_PORT_NAME, 2, 60))
            .withLivenessProbe(probe("/healthz", ENGINE_ADMIN_PORT_NAME, 10, 3))
            .withReadinessProbe(probe("/readyz", ENGINE_ADMIN_PORT_NAME, 5, 2))
            .build();
    Container proxy =
        new ContainerBuilder()
            .withName("proxy")
            .withImage(defaults.proxyImage())
            .withImagePullPolicy(defaults.imagePullPolicy())
            .withArgs("--config", CONFIG_DIR + "/" + PROXY_TOML)
            .withPorts(
                port(PEER_PORT_NAME, PEER_PORT), port(PROXY_ADMIN_PORT_NAME, PROXY_ADMIN_PORT))
            .withEnv(podEnv(defaults, "wr-proxy", plan))
            .withVolumeMounts(proxyMounts(defaults))
            .withResources(
                resources != null && resources.proxy() != null
                    ? resources.proxy()
                    : copy(defaults.proxyResources()))
            .withSecurityContext(containerSecurity())
            .withStartupProbe(probe("/healthz", PROXY_ADMIN_PORT_NAME, 2, 60))
            .withLivenessProbe(probe("/healthz", PROXY_ADMIN_PORT_NAME, 10, 3))
            .withReadinessProbe(probe("/readyz", PROXY_ADMIN_PORT_NAME, 5, 2))
            .build();

    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(plan.name())
        .withNamespace(plan.kubernetesNamespace())
        .withLabels(Labels.of(wm))
        .withOwnerReferences(plan.ownerReference())
        .endMetadata()
        .withNewSpec()
        .withReplicas(spec.desiredReplicas())
        .withNewSelector()
        .withMatchLabels(Labels.selector(wm))
        .endSelector()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(0))
        .withMaxSurge(new IntOrString(1))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(podAnnotations)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(spec.serviceAccountName())
        // The engine and the proxy never call the Kubernetes API.
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
        .withNodeSelector(spec.nodeSelector())
        .withTolerations(spec.tolerations())
        .withAffinity(spec.affinity())
        .withImagePullSecrets(
            defaults.imagePullSecrets().stream().map(LocalObjectReference::new).toList())
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withContainers(engine, proxy)
        .withVolumes(volumes)
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static void capabilityVolumes(
      Capabilities capabilities, List<Volume> volumes, List<VolumeMount> mounts) {
    if (capabilities == null) {
      return;
    }
    if (capabilities.getDb() != null) {
      KeyReference ref = capabilities.getDb().secretRef();
      secretVolume(
          "db", ref.name(), List.of(new KeyToPath(ref.key(), null, "url")), volumes, mounts);
    }
    if (capabilities.getBlobstore() != null) {
      secretVolume(
          "blobstore",
          capabilities.getBlobstore().credentialsSecret(),
          List.of(
              new KeyToPath("accessKeyId", null, "accessKeyId"),
              new KeyToPath("secretAccessKey", null, "secretAccessKey")),
          volumes,
          mounts);
    }
    if (capabilities.getLlm() != null) {
      KeyReference ref = capabilities.getLlm().apiKeySecretRef();
      secretVolume(
          "llm", ref.name(), List.of(new KeyToPath(ref.key(), null, "api-key")), volumes, mounts);
    }
  }

  private static List<VolumeMount> proxyMounts(PodDefaults defaults) {
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount(CONFIG_VOLUME, CONFIG_DIR));
    mounts.add(mount(TMP_VOLUME, "/tmp"));
    if (defaults.nodeTlsSecret() != null) {
      mounts.add(mount(NODE_TLS_VOLUME, PodLayout.NODE_TLS_DIR));
    }
    return mounts;
  }

  private static void secretVolume(
      String capability,
      String secret,
      List<KeyToPath> items,
      List<Volume> volumes,
      List<VolumeMount> mounts) {
    String name = "capability-" + capability;
    volumes.add(
        new VolumeBuilder()
            .withName(name)
            .withNewSecret()
            .withSecretName(secret)
            .withItems(items)
            .withDefaultMode(0440)
            .endSecret()
            .build());
    mounts.add(mount(name, SECRETS_DIR + "/" + capability));
  }

  private static List<EnvVar> podEnv(PodDefaults defaults, String service, ModulePlan plan) {
    List<EnvVar> env = new ArrayList<>();
    env.add(fieldEnv("POD_NAME", "metadata.name"));
    env.add(fieldEnv("POD_NAMESPACE", "metadata.namespace"));
    env.add(fieldEnv("POD_IP", "status.podIP"));
    env.add(new EnvVar("OTEL_SERVICE_NAME", service, null));
    env.add(
        new EnvVar(
            "OTEL_RESOURCE_ATTRIBUTES",
            "k8s.namespace.name="
                + plan.kubernetesNamespace()
                + ",wruntime.module="
                + plan.routedName(),
            null));
    if (defaults.otelEndpoint() != null) {
      env.add(new EnvVar("OTEL_EXPORTER_OTLP_ENDPOINT", defaults.otelEndpoint(), null));
    }
    return env;
  }

  private static EnvVar fieldEnv(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withApiVersion("v1")
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  private static ContainerPort port(String name, int port) {
    return new ContainerPortBuilder()
        .withName(name)
        .withContainerPort(port)
        .withProtocol("TCP")
        .build();
  }

  private static VolumeMount mount(String volume, String path) {
    return new VolumeMountBuilder()
        .withName(volume)
        .withMountPath(path)
        .withReadOnly(!path.equals("/tmp"))
        .build();
  }

  private static Probe probe(String path, String port, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(port))
        .withScheme("HTTP")
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(2)
        .withFailureThreshold(failureThreshold)
        .withSuccessThreshold(1)
        .build();
  }

  private static SecurityContext containerSecurity() {
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withReadOnlyRootFilesystem(true)
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  private static ResourceRequirements copy(ResourceRequirements resources) {
    return new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder(resources).build();
  }
}
