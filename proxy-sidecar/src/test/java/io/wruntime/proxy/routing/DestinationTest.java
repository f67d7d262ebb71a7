package io.wruntime.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DestinationTest {
  @Test
  void aModuleDestinationKeepsItsRawPathAndQuery() {
    Destination d = Destination.parse("http://Shop.Inventory/shop.v1.Inventory/GetStock?id=a%20b");

    assertThat(d.isModuleName()).isTrue();
    assertThat(d.namespace()).isEqualTo("shop");
    assertThat(d.module()).isEqualTo("inventory");
    assertThat(d.pathAndQuery()).isEqualTo("/shop.v1.Inventory/GetStock?id=a%20b");
    assertThat(d.authority()).isEqualTo("shop.inventory");
    assertThat(d.effectivePort()).isEqualTo(80);
  }

  @Test
  void anExternalDestinationKeepsItsPort() {
    Destination d = Destination.parse("https://api.stripe.com:8443");

    assertThat(d.isModuleName()).isFalse();
    assertThat(d.pathAndQuery()).isEqualTo("/");
    assertThat(d.authority()).isEqualTo("api.stripe.com:8443");
    assertThat(d.effectivePort()).isEqualTo(8443);
    assertThat(Destination.parse("https://api.example.com").effectivePort()).isEqualTo(443);
  }

  @Test
  void twoLabelsThatAreNotNamesAreNotAModule() {
    assertThat(Destination.parse("http://a-namespace-longer-than-24.cart/").isModuleName())
        .isFalse();
    assertThat(Destination.parse("http://10.0.0.1/").isModuleName()).isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://echo/x | has the one-label host echo",
        "/echo.EchoService/Echo | is not an http or https URI",
        "ftp://a.b/x | is not an http or https URI",
        "http://a b.c/ | is not a URI",
        "http://user@a.b/ | carries user information",
        "http:///x | has no host",
        "http://[::1]:90012/ | has port 90012, which cannot be dialed",
        "http://example.echo:0/ | has port 0, which cannot be dialed",
      })
  void malformedDestinationsSayWhatIsWrongAndWhatWasExpected(String value, String problem) {
    assertThatThrownBy(() -> Destination.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("\"" + value + "\" " + problem)
        .hasMessageEndingWith("(expected: " + Destination.EXPECTED + ")");
  }

  @Test
  void aMissingDestinationSaysSo() {
    assertThatThrownBy(() -> Destination.parse(null))
        .hasMessage("is missing (expected: " + Destination.EXPECTED + ")");
  }
}
