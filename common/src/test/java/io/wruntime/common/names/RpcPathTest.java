package io.wruntime.common.names;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RpcPathTest {
  @Test
  void aGeneratedRpcPathNamesItsServiceAndMethod() {
    assertThat(RpcPath.parse("/echo.EchoService/Echo"))
        .contains(new RpcPath("echo.EchoService", "Echo"));
    assertThat(RpcPath.parse("/shop.v1.Inventory/GetStock?x=1"))
        .contains(new RpcPath("shop.v1.Inventory", "GetStock"));
    assertThat(RpcPath.parse("/_a.B_2/m_1").map(RpcPath::toString)).contains("/_a.B_2/m_1");
  }

  @Test
  void otherPathsAreNotRpcs() {
    assertThat(RpcPath.parse("/__health")).isEmpty();
    assertThat(RpcPath.parse("/Echo/Echo")).isEmpty();
    assertThat(RpcPath.parse("/a.B/c/d")).isEmpty();
    assertThat(RpcPath.parse("/a.B/")).isEmpty();
    assertThat(RpcPath.parse("/.B/C")).isEmpty();
    assertThat(RpcPath.parse("/a..B/C")).isEmpty();
    assertThat(RpcPath.parse("/a b.C/M")).isEmpty();
    assertThat(RpcPath.parse("/a.1B/M")).isEmpty();
    assertThat(RpcPath.parse("a.B/C")).isEmpty();
    assertThat(RpcPath.parse("")).isEmpty();
  }
}
