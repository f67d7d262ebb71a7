package io.wruntime.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModuleDbNamesTest {
  @Test
  void rolesArePerNamespaceAndSchemasPerModuleWithDashesAsUnderscores() {
    ModuleDbNames names = ModuleDbNames.of("shop-eu", "order-api");
    assertThat(names.role()).isEqualTo("wr__shop_eu");
    assertThat(names.schema()).isEqualTo("wr__shop_eu__order_api");
  }

  @Test
  void modulesThatDifferDoNotShareASchema() {
    assertThat(ModuleDbNames.of("a-b", "c").schema())
        .isNotEqualTo(ModuleDbNames.of("a", "b-c").schema());
    assertThat(ModuleDbNames.of("x", "y--z").schema())
        .isNotEqualTo(ModuleDbNames.of("x-y", "z").schema());
  }

  @Test
  void aNamespaceWithADoubleDashIsRefusedBecauseItsSchemaWouldNotBeUnique() {
    // x--y + z and x + y--z would both be wr__x__y__z.
    assertThat(ModuleDbNames.of("x", "y--z").schema()).isEqualTo("wr__x__y__z");
    assertThatThrownBy(() -> ModuleDbNames.of("x--y", "z"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "namespace \"x--y\" contains \"--\" (expected: no \"--\" in the namespace of a module"
                + " granted wruntime:db: its schema wr__{ns}__{name} would not be unique)");
  }

  @Test
  void invalidNamesAreRefusedNamingTheValue() {
    assertThatThrownBy(() -> ModuleDbNames.of("Shop", "app"))
        .hasMessageStartingWith("namespace \"Shop\" is not a valid name");
    assertThatThrownBy(() -> ModuleDbNames.of("shop", "app\"; DROP"))
        .hasMessageStartingWith("module name \"app\"; DROP\" is not a valid name");
    assertThatThrownBy(() -> ModuleDbNames.of("shop", "a;b"))
        .hasMessageStartingWith("module name \"a;b\" is not a valid name");
    assertThatThrownBy(() -> ModuleDbNames.of("shop", "x".repeat(25)))
        .hasMessageContaining("has 25 characters (expected: at most 24)");
    assertThatThrownBy(() -> ModuleDbNames.of("", "app"))
        .hasMessageStartingWith("namespace is empty");
    assertThatThrownBy(() -> ModuleDbNames.of("-shop", "app"))
        .hasMessageContaining("not starting or ending with '-'");
  }

  @Test
  void theLongestNamesFitPostgresIdentifierLimit() {
    ModuleDbNames names = ModuleDbNames.of("n".repeat(24), "m".repeat(24));
    assertThat(names.schema()).hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void identifiersAreQuotedWithInnerQuotesDoubled() {
    assertThat(ModuleDbNames.quote("wr__a")).isEqualTo("\"wr__a\"");
    assertThat(ModuleDbNames.quote("my \"db\"")).isEqualTo("\"my \"\"db\"\"\"");
  }
}
