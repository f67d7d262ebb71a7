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

  @Test
  void theHandWrittenParserAgreesWithThePatternOnEveryShortPath() {
    // Every path of up to 6 characters over the characters that matter to the rule: the parser
    // runs on each proxied request instead of the pattern, and must accept exactly what it does.
    char[] alphabet = {'/', '.', 'a', 'B', '_', '1', '-', '?'};
    int checked = 0;
    for (int length = 0; length <= 6; length++) {
      int[] digits = new int[length];
      while (true) {
        StringBuilder path = new StringBuilder();
        for (int d : digits) {
          path.append(alphabet[d]);
        }
        String text = path.toString();
        int query = text.indexOf('?');
        String beforeQuery = query < 0 ? text : text.substring(0, query);
        assertThat(RpcPath.parse(text).isPresent())
            .as("path %s", text)
            .isEqualTo(RpcPath.matchesPattern(beforeQuery));
        checked++;
        int i = length - 1;
        while (i >= 0 && ++digits[i] == alphabet.length) {
          digits[i--] = 0;
        }
        if (i < 0) {
          break;
        }
      }
    }
    assertThat(checked).isEqualTo(299593); // 8^0 + ... + 8^6
  }

  @Test
  void namesAreCheckedAsTheirPatternSays() {
    for (String valid :
        new String[] {"a", "0", "a-b", "shop-v1", "a--b", "abcdefghijklmnopqrstuvwx"}) {
      assertThat(Names.problem(valid)).as(valid).isNull();
      assertThat(valid.matches(Names.REGEX)).isTrue();
    }
    for (String invalid : new String[] {"", "-a", "a-", "-", "A", "a_b", "a.b", "a b", "é"}) {
      assertThat(Names.problem(invalid)).as(invalid).isNotNull();
    }
  }
}
