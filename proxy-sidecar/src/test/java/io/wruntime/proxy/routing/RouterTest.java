package io.wruntime.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.common.names.SemVer;
import io.wruntime.common.net.HostPort;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingRule;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RouterTest {
  private final AtomicReference<RoutingTable> table = new AtomicReference<>();
  private final Router router =
      new Router(table::get, EgressPolicy.of(true, List.of("*.example.com"), false));

  private static Route route(String version, String engine, String node, boolean healthy) {
    return Route.newBuilder()
        .setModule(ModuleRef.newBuilder().setNamespace("shop").setName("cart").setVersion(version))
        .setEngineId(engine)
        .setAddress("http://127.0.0.1:91" + engine.substring(1))
        .setNode(node)
        .setNodeAddress(node.equals("a") ? "127.0.0.1:9443" : "10.0.0.2:9443")
        .setHealthy(healthy)
        .build();
  }

  private void table(Route... routes) {
    table.set(
        RoutingTable.from(
            io.wruntime.proto.v1.RoutingTable.newBuilder()
                .setVersion(7)
                .addAllRoutes(List.of(routes))
                .build(),
            "a"));
  }

  private Resolution resolve(String destination, String version) {
    return router.resolve(Destination.parse(destination), version, false);
  }

  private static List<String> versions(Resolution r) {
    return ((Resolution.Internal) r)
        .candidates().stream().map(i -> i.version().toString()).toList();
  }

  @Test
  void aRequirementPicksTheHighestMatchingHealthyVersionOnly() {
    table(
        route("1.0.0", "e1", "a", true),
        route("1.4.0", "e2", "a", true),
        route("1.5.0", "e3", "a", false),
        route("2.0.0", "e4", "b", true));

    assertThat(versions(resolve("http://shop.cart/x", "^1"))).containsExactly("1.4.0");
    assertThat(versions(resolve("http://shop.cart/x", "=1.0.0"))).containsExactly("1.0.0");
    assertThat(versions(resolve("http://shop.cart/x", null)))
        .containsExactlyInAnyOrder("1.0.0", "1.4.0", "2.0.0");
  }

  @Test
  void instancesKnowWhetherTheyAreLocalAndWhereToSend() {
    table(route("1.0.0", "e1", "a", true), route("2.0.0", "e4", "b", true));

    Resolution.Internal r = (Resolution.Internal) resolve("http://shop.cart/x", null);

    assertThat(r.candidates())
        .extracting(Instance::engineId, Instance::local, Instance::target)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("e1", true, new HostPort("127.0.0.1", 911)),
            org.assertj.core.groups.Tuple.tuple("e4", false, new HostPort("10.0.0.2", 9443)));
  }

  @Test
  void noMatchingVersionNamesTheRequirementAndWhatIsAvailable() {
    table(route("1.0.0", "e1", "a", true), route("2.0.0", "e4", "a", true));

    Resolution r = resolve("http://shop.cart/x", "=3.0.0");

    assertThat(r)
        .isEqualTo(
            new Resolution.Rejected(
                503,
                "no_matching_version",
                "shop.cart has no healthy version matching =3.0.0 (available: 2.0.0, 1.0.0)",
                java.util.Map.of("requirement", "=3.0.0", "available", List.of("2.0.0", "1.0.0"))));
  }

  @Test
  void anInvalidRequirementIsABadRequest() {
    table(route("1.0.0", "e1", "a", true));

    Resolution.Rejected r = (Resolution.Rejected) resolve("http://shop.cart/x", "abc");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.message())
        .isEqualTo(
            "x-wr-version: \"abc\" (expected: a semver requirement such as ^1.2, ~1.4.0, =1.4.0,"
                + " >=1.0.0, <2.0.0 or 1.2.3)");
  }

  @Test
  void aRoutedModuleWithoutHealthyInstancesIsUnavailable() {
    table(route("1.0.0", "e1", "a", false));

    Resolution.Rejected r = (Resolution.Rejected) resolve("http://shop.cart/x", null);

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.code()).isEqualTo("no_healthy_instance");
  }

  @Test
  void thePeerListenerOnlyConsidersLocalInstances() {
    table(route("1.0.0", "e1", "b", true));

    Resolution r = router.resolve(Destination.parse("http://shop.cart/x"), null, true);
    Resolution external = router.resolve(Destination.parse("http://api.example.com/"), null, true);

    assertThat(((Resolution.Rejected) r).message())
        .startsWith("shop.cart has no healthy instance on this node");
    assertThat(((Resolution.Rejected) external).code()).isEqualTo("unknown_destination");
  }

  @Test
  void externalHostsGoOutOnlyWhenAllowlisted() {
    table();

    assertThat(resolve("http://api.example.com/v1", null)).isInstanceOf(Resolution.Egress.class);
    assertThat(((Resolution.Rejected) resolve("https://api.example.com/v1", null)).status())
        .isEqualTo(501);
    assertThat(((Resolution.Rejected) resolve("http://shop.cart/x", null)).code())
        .isEqualTo("unknown_destination");
    Resolution.Rejected otherPort =
        (Resolution.Rejected) resolve("http://api.example.com:9091/metrics", null);
    assertThat(otherPort.code()).isEqualTo("unknown_destination");
    assertThat(otherPort.message())
        .startsWith("no route to api.example.com:9091 (expected:")
        .contains("on ports 80 and 443, or on the port the entry names");
    Router disabled =
        new Router(table::get, EgressPolicy.of(false, List.of("*.example.com"), false));
    assertThat(
            ((Resolution.Rejected)
                    disabled.resolve(Destination.parse("http://api.example.com/"), null, false))
                .code())
        .isEqualTo("egress_disabled");
  }

  @Test
  void aRuleSetsTheDefaultRequirementAndItsStaticRoutesReplaceTheRegisteredOnes() {
    Route registered = route("1.0.0", "e1", "a", true);
    Route stat =
        Route.newBuilder()
            .setModule(
                ModuleRef.newBuilder().setNamespace("shop").setName("cart").setVersion("9.0.0"))
            .setAddress("127.0.0.1:7000")
            .setNode("a")
            .setNodeAddress("127.0.0.1:9443")
            .setHealthy(true)
            .build();
    table.set(
        RoutingTable.from(
            io.wruntime.proto.v1.RoutingTable.newBuilder()
                .setVersion(3)
                .addRoutes(registered)
                .addRoutes(route("2.0.0", "e2", "a", true))
                .addRules(
                    RoutingRule.newBuilder()
                        .setNamespace("shop")
                        .setModule("cart")
                        .setDefaultVersion("^1"))
                .addRules(
                    RoutingRule.newBuilder()
                        .setNamespace("shop")
                        .setModule("static")
                        .addRoutes(
                            stat.toBuilder()
                                .setModule(stat.getModule().toBuilder().setName("static"))))
                .build(),
            "a"));

    assertThat(versions(resolve("http://shop.cart/x", null))).containsExactly("1.0.0");
    assertThat(versions(resolve("http://shop.cart/x", "2"))).containsExactly("2.0.0");
    Resolution.Internal s = (Resolution.Internal) resolve("http://shop.static/x", null);
    assertThat(s.candidates())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.version()).isEqualTo(SemVer.parse("9.0.0"));
              assertThat(i.target()).isEqualTo(new HostPort("127.0.0.1", 7000));
              assertThat(i.local()).isTrue();
            });
  }

  @Test
  void routesThisProxyCannotUseAreLeftOut() {
    table(
        route("1.0.0", "e1", "a", true).toBuilder().setAddress("not an address").build(),
        route("not-semver", "e2", "a", true),
        route("1.0.0", "e3", "b", true).toBuilder().setNodeAddress("").build());

    assertThat(table.get().service("shop", "cart").instances()).isEmpty();
    assertThat(table.get().version()).isEqualTo(7);
  }
}
