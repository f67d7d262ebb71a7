package io.wruntime.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.wruntime.common.net.HostPort;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvExpansionTest {
  private static final Map<String, String> ENV =
      Map.of(
          "POD_IP",
          "10.0.3.7",
          "POD_NAME",
          "shop-orders-7d9f",
          "WR_ENV_API_TOKEN",
          "s3cr3t",
          "PRICE",
          "$5 ${POD_NAME}",
          "EMPTY",
          "");

  private static TomlTable parse(String text) {
    return TomlTable.parse("proxy.toml", text, ENV);
  }

  @Test
  void podAddressesAndNamesComeFromTheEnvironment() {
    TomlTable node =
        parse(
                """
                [node]
                proxy_address = "${POD_IP}:9443"
                name = "${POD_NAME}"
                """)
            .table("node")
            .orElseThrow();

    assertThat(node.address("proxy_address", null, false, "127.0.0.1:9443"))
        .isEqualTo(new HostPort("10.0.3.7", 9443));
    assertThat(node.requireString("name")).isEqualTo("shop-orders-7d9f");
    assertThat(node.string("name", "default")).isEqualTo("shop-orders-7d9f");
  }

  @Test
  void doubleDollarIsALiteralDollar() {
    TomlTable root = parse("a = \"$$HOME costs $$5, $${X}\"\nb = \"$$$$\"\nc = \"${EMPTY}x\"");

    assertThat(root.requireString("a")).isEqualTo("$HOME costs $5, ${X}");
    assertThat(root.requireString("b")).isEqualTo("$$");
    assertThat(root.requireString("c")).isEqualTo("x");
  }

  @Test
  void expandedValuesAreNotExpandedAgain() {
    assertThat(parse("a = \"<${PRICE}>\"").requireString("a")).isEqualTo("<$5 ${POD_NAME}>");
  }

  @Test
  void stringsWithoutDollarAreUnchanged() {
    assertThat(parse("a = \"plain {text} }\"").requireString("a")).isEqualTo("plain {text} }");
  }

  @Test
  void arraysAndTableEntriesAreExpanded() {
    TomlTable root =
        parse(
            """
            hosts = ["${POD_NAME}.local", "a$$b"]
            env = { API_TOKEN = "${WR_ENV_API_TOKEN}", LITERAL = "p$$ss", PORT = 8080 }
            """);

    assertThat(root.strings("hosts")).containsExactly("shop-orders-7d9f.local", "a$b");
    Map<String, JsonNode> env = root.entries("env");
    assertThat(env)
        .containsExactly(
            Map.entry("API_TOKEN", TextNode.valueOf("s3cr3t")),
            Map.entry("LITERAL", TextNode.valueOf("p$ss")),
            Map.entry("PORT", IntNode.valueOf(8080)));
  }

  @Test
  void anUnsetVariableNamesTheFileTheKeyAndTheVariable() {
    assertThatThrownBy(
            () ->
                parse("[node]\nproxy_address = \"${POD_IPV4}:9443\"")
                    .table("node")
                    .orElseThrow()
                    .address("proxy_address", null, false, "127.0.0.1:9443"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "proxy.toml: node.proxy_address = \"${POD_IPV4}:9443\": environment variable"
                + " POD_IPV4 is not set (expected: set it, or write $$ for a literal $)");
  }

  @Test
  void errorsInArraysAndEntriesNameTheElement() {
    TomlTable module =
        parse("[[module]]\nhosts = [\"a\", \"${NOPE}\"]\nenv = { TOKEN = \"${MISSING}\" }")
            .tables("module")
            .get(0);

    assertThatThrownBy(() -> module.strings("hosts"))
        .hasMessage(
            "proxy.toml: module[0].hosts[1] = \"${NOPE}\": environment variable NOPE is not set"
                + " (expected: set it, or write $$ for a literal $)");
    assertThatThrownBy(() -> module.entries("env"))
        .hasMessage(
            "proxy.toml: module[0].env.TOKEN = \"${MISSING}\": environment variable MISSING is"
                + " not set (expected: set it, or write $$ for a literal $)");
  }

  @Test
  void aDollarOutsideAReferenceIsASyntaxError() {
    assertThatThrownBy(() -> parse("name = \"$POD_NAME\"").requireString("name"))
        .hasMessage(
            "proxy.toml: name = \"$POD_NAME\": the $ at offset 0 starts neither ${NAME} nor $$"
                + " (expected: ${NAME} for an environment variable, NAME of letters, digits and"
                + " '_' not starting with a digit, or $$ for a literal $)");
    assertThatThrownBy(() -> parse("name = \"price: 5$\"").requireString("name"))
        .hasMessageStartingWith(
            "proxy.toml: name = \"price: 5$\": the $ at offset 8 starts neither ${NAME} nor $$");
  }

  @Test
  void unterminatedAndInvalidReferencesAreSyntaxErrors() {
    assertThatThrownBy(() -> parse("name = \"x-${POD_NAME\"").requireString("name"))
        .hasMessageStartingWith(
            "proxy.toml: name = \"x-${POD_NAME\": the ${ at offset 2 is not closed by }"
                + " (expected: ${NAME} for an environment variable");
    assertThatThrownBy(() -> parse("name = \"${1ST}\"").requireString("name"))
        .hasMessageStartingWith(
            "proxy.toml: name = \"${1ST}\": ${1ST} is not a valid variable reference (expected:");
    assertThatThrownBy(() -> parse("name = \"${}\"").requireString("name"))
        .hasMessageStartingWith(
            "proxy.toml: name = \"${}\": ${} is not a valid variable reference");
    assertThatThrownBy(() -> parse("name = \"${POD-NAME}\"").requireString("name"))
        .hasMessageStartingWith(
            "proxy.toml: name = \"${POD-NAME}\": ${POD-NAME} is not a valid variable reference");
  }

  @Test
  void theProcessEnvironmentIsTheDefault() {
    String name =
        System.getenv().keySet().stream()
            .filter(n -> n.matches("[A-Za-z_][A-Za-z0-9_]*"))
            .findFirst()
            .orElseThrow();

    assertThat(TomlTable.parse("t.toml", "a = \"${" + name + "}\"").requireString("a"))
        .isEqualTo(System.getenv(name));
  }
}
