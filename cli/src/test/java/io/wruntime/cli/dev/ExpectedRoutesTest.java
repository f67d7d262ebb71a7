package io.wruntime.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpectedRoutesTest {
  private static final ModuleRef ECHO = ref("echo");
  private static final ModuleRef CALLER = ref("caller");
  private static final ExpectedRoutes EXPECTED =
      new ExpectedRoutes(
          List.of(new ExpectedRoutes.Engine("e1", "quickstart.toml", List.of(ECHO, CALLER))));

  private static ModuleRef ref(String name) {
    return ModuleRef.newBuilder().setNamespace("example").setName(name).setVersion("1.0.0").build();
  }

  private static Route route(String engineId, ModuleRef module, boolean healthy) {
    return Route.newBuilder().setEngineId(engineId).setModule(module).setHealthy(healthy).build();
  }

  private static RoutingTable table(long version, Route... routes) {
    return RoutingTable.newBuilder().setVersion(version).addAllRoutes(List.of(routes)).build();
  }

  @Test
  void namesEachModuleThatIsNotRoutedHealthyAndWhy() {
    List<String> missing =
        EXPECTED.notReady(table(2, route("e1", ECHO, false), route("e2", CALLER, true)), 2);

    assertThat(missing)
        .containsExactly(
            "example.echo@1.0.0 (engine e1, quickstart.toml): registered, not healthy yet",
            "example.caller@1.0.0 (engine e1, quickstart.toml): not registered yet");
  }

  @Test
  void readyWhenEveryModuleIsHealthyAndTheProxyHasTheTable() {
    RoutingTable healthy = table(3, route("e1", ECHO, true), route("e1", CALLER, true));

    assertThat(EXPECTED.notReady(healthy, 3)).isEmpty();
    assertThat(EXPECTED.notReady(healthy, 4)).isEmpty();
  }

  @Test
  void waitsForTheProxyToHoldTheManagersTable() {
    RoutingTable healthy = table(3, route("e1", ECHO, true), route("e1", CALLER, true));

    assertThat(EXPECTED.notReady(healthy, 2))
        .containsExactly(
            "the proxy's routing table (version 2) is older than the manager's (version 3)");
    assertThat(EXPECTED.notReady(healthy, -1))
        .containsExactly(
            "the proxy's routing table (version none) is older than the manager's (version 3)");
  }
}
