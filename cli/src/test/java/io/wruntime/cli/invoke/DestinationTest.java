package io.wruntime.cli.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DestinationTest {
  @Test
  void moduleHostAndRpcPath() {
    Destination d = Destination.parse("http://shop.inventory/shop.v1.Inventory/GetStock");

    assertThat(d.isModule()).isTrue();
    assertThat(d.namespace()).isEqualTo("shop");
    assertThat(d.module()).isEqualTo("inventory");
    assertThat(d.rpcPath()).contains("/shop.v1.Inventory/GetStock");
  }

  @Test
  void otherPathsAreNotRpcs() {
    assertThat(Destination.parse("http://shop.inventory/items/1").rpcPath()).isEmpty();
    assertThat(Destination.parse("http://shop.inventory/Echo/Echo").rpcPath()).isEmpty();
    // The query does not change the method (as in the proxy's validation).
    assertThat(Destination.parse("http://shop.inventory/a.B/C?x=1").rpcPath()).contains("/a.B/C");
    assertThat(Destination.parse("http://shop.inventory").pathWithQuery()).isEqualTo("/");
    assertThat(Destination.parse("http://shop.inventory/a?b=c").pathWithQuery())
        .isEqualTo("/a?b=c");
  }

  @Test
  void externalHostsAreNotModules() {
    assertThat(Destination.parse("https://api.example.com/v1").isModule()).isFalse();
    assertThat(Destination.parse("http://Shop.inventory/").isModule()).isFalse();
  }

  @Test
  void malformedDestinationsSayWhatWasExpected() {
    assertThatThrownBy(() -> Destination.parse("ftp://a.b/"))
        .hasMessageContaining("has no http or https scheme");
    assertThatThrownBy(() -> Destination.parse("http://inventory/"))
        .hasMessageContaining("has a one-label host");
  }
}
