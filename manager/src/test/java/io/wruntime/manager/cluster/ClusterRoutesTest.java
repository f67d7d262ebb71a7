package io.wruntime.manager.cluster;

import static io.wruntime.manager.cluster.ClusterObjects.engineConfigMap;
import static io.wruntime.manager.cluster.ClusterObjects.pod;
import static io.wruntime.manager.cluster.ClusterObjects.wasmModule;
import static io.wruntime.manager.cluster.ClusterObjects.withStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.wruntime.common.net.HostPort;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.manager.Fixtures;
import io.wruntime.manager.registry.ClusterRoute;
import io.wruntime.manager.registry.ModuleKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterRoutesTest {
  private static final HostPort ENGINE = new HostPort("127.0.0.1", 9100);
  private static final ByteString SCHEMA_1 = Fixtures.schema("echo.v1", "Echo", "Say");
  private static final ByteString SCHEMA_2 = Fixtures.schema("echo.v1", "Echo", "Say", "Shout");
  private static final WasmModule ECHO = wasmModule("shop", "echo", "1.0.0");
  private static final ModuleKey ECHO_1 = new ModuleKey("shop", "echo", "1.0.0");

  private static ClusterState desired(List<WasmModule> wms, List<Pod> pods, List<ConfigMap> cms) {
    return ClusterRoutes.desired(wms, pods, cms, ENGINE);
  }

  @Test
  void aReadyPodIsAHealthyRouteAtItsIpAndPeerPortNamedAfterThePod() {
    Pod pod = withStatus(pod(ECHO, "echo-7d9f-abcde", "1.0.0", 9443), "10.0.3.7", true);

    ClusterState state = desired(List.of(ECHO), List.of(pod), List.of());

    assertThat(state.routes())
        .containsExactly(
            new ClusterRoute(
                ECHO_1,
                "echo-7d9f-abcde",
                "127.0.0.1:9100",
                "echo-7d9f-abcde",
                "10.0.3.7:9443",
                true,
                ""));
    assertThat(state.ignored()).isEmpty();
  }

  @Test
  void anUnreadyOrTerminatingPodIsAnUnhealthyRouteSayingWhy() {
    Pod unready = withStatus(pod(ECHO, "echo-a", "1.0.0", 9443), "10.0.3.7", false);
    Pod terminating =
        new PodBuilder(withStatus(pod(ECHO, "echo-b", "1.0.0", 9443), "10.0.3.8", true))
            .editMetadata()
            .withDeletionTimestamp("2025-01-01T00:00:00Z")
            .endMetadata()
            .build();
    Pod noCondition =
        new PodBuilder(pod(ECHO, "echo-c", "1.0.0", 9443))
            .withNewStatus()
            .withPodIP("10.0.3.9")
            .endStatus()
            .build();

    ClusterState state =
        desired(List.of(ECHO), List.of(unready, terminating, noCondition), List.of());

    assertThat(state.routes())
        .extracting(ClusterRoute::engineId, ClusterRoute::healthy, ClusterRoute::detail)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("echo-a", false, "pod shop/echo-a is not ready"),
            org.assertj.core.groups.Tuple.tuple("echo-b", false, "pod shop/echo-b is terminating"),
            org.assertj.core.groups.Tuple.tuple("echo-c", false, "pod shop/echo-c is not ready"));
  }

  @Test
  void aPodWithoutIpOrWithoutItsWasmModuleIsNoRoute() {
    Pod pending = pod(ECHO, "echo-a", "1.0.0", 9443);
    Pod orphan =
        withStatus(
            pod(wasmModule("shop", "gone", "1.0.0"), "gone-a", "1.0.0", 9443), "10.0.0.1", true);
    Pod otherNamespace =
        withStatus(
            pod(wasmModule("other", "echo", "1.0.0"), "echo-b", "1.0.0", 9443), "10.0.0.2", true);

    ClusterState state =
        desired(List.of(ECHO), List.of(pending, orphan, otherNamespace), List.of());

    assertThat(state.routes()).isEmpty();
    assertThat(state.ignored()).isEmpty();
  }

  @Test
  void theVersionLabelReadsUnderscoreAsPlusAndIPv6AddressesAreBracketed() {
    Pod pod = withStatus(pod(ECHO, "echo-a", "1.0.0+build.7", 9443), "fd00::7", true);

    ClusterState state = desired(List.of(ECHO), List.of(pod), List.of());

    assertThat(state.routes())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.module()).isEqualTo(new ModuleKey("shop", "echo", "1.0.0+build.7"));
              assertThat(r.nodeAddress()).isEqualTo("[fd00::7]:9443");
            });
  }

  @Test
  void podsThatCannotBeRoutedAreIgnoredWithTheReason() {
    Pod noPeer =
        new PodBuilder(withStatus(pod(ECHO, "echo-a", "1.0.0", 9443), "10.0.0.1", true))
            .editSpec()
            .editLastContainer()
            .withPorts(List.of())
            .endContainer()
            .endSpec()
            .build();
    Pod badVersion = withStatus(pod(ECHO, "echo-b", "one", 9443), "10.0.0.2", true);
    Pod noModuleLabel =
        new PodBuilder(withStatus(pod(ECHO, "echo-c", "1.0.0", 9443), "10.0.0.3", true))
            .editMetadata()
            .removeFromLabels("wruntime.io/module")
            .endMetadata()
            .build();

    ClusterState state =
        desired(List.of(ECHO), List.of(noPeer, badVersion, noModuleLabel), List.of());

    assertThat(state.routes()).isEmpty();
    assertThat(state.ignored())
        .hasSize(3)
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "pod shop/echo-a: no port named \"peer\" on container \"proxy\" (expected:"
                            + " the operator's pod layout)"))
        .anySatisfy(p -> assertThat(p).startsWith("pod shop/echo-b: label wruntime.io/version"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "pod shop/echo-c: labels wruntime.io/namespace, wruntime.io/module and"
                            + " wruntime.io/version are not all set"));
  }

  @Test
  void theSchemaComesFromTheModulesConfigMapForTheVersionItsLabelsName() {
    ConfigMap engine = engineConfigMap(ECHO, "1.0.0", SCHEMA_1);
    // The operator has not yet rewritten the ConfigMap for the WasmModule's new version.
    WasmModule moved = wasmModule("shop", "echo", "2.0.0");

    ClusterState state = desired(List.of(moved), List.of(), List.of(engine));

    assertThat(state.schemas()).containsOnlyKeys(ECHO_1);
    assertThat(state.schemas().get(ECHO_1).bytes()).isEqualTo(SCHEMA_1);
  }

  @Test
  void configMapsThatAreNotAModulesEngineConfigMapAreNotRead() {
    ConfigMap other =
        new ConfigMapBuilder(engineConfigMap(ECHO, "1.0.0", SCHEMA_1))
            .editMetadata()
            .withName("echo-something")
            .endMetadata()
            .build();
    ConfigMap withoutModule =
        engineConfigMap(wasmModule("shop", "gone", "1.0.0"), "1.0.0", SCHEMA_1);

    assertThat(desired(List.of(ECHO), List.of(), List.of(other, withoutModule)).schemas())
        .isEmpty();
  }

  @Test
  void aSchemaThatDoesNotParseIsIgnoredWithTheReason() {
    ConfigMap broken =
        new ConfigMapBuilder(engineConfigMap(ECHO, "1.0.0", SCHEMA_2))
            .withBinaryData(Map.of("schema.binpb", "AAEC"))
            .build();

    ClusterState state = desired(List.of(ECHO), List.of(), List.of(broken));

    assertThat(state.schemas()).isEmpty();
    assertThat(state.ignored())
        .singleElement()
        .asString()
        .startsWith(
            "ConfigMap shop/echo-engine: binaryData schema.binpb is 3 bytes that do not parse");
  }

  @Test
  void theSameObjectsInAnotherOrderGiveTheSameState() {
    Pod a = withStatus(pod(ECHO, "echo-a", "1.0.0", 9443), "10.0.0.1", true);
    Pod b = withStatus(pod(ECHO, "echo-b", "1.0.0", 9443), "10.0.0.2", false);

    assertThat(desired(List.of(ECHO), List.of(a, b), List.of()))
        .isEqualTo(desired(List.of(ECHO), List.of(b, a), List.of()));
  }
}
