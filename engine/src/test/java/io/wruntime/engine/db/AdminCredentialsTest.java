package io.wruntime.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdminCredentialsTest {
  @Test
  void credentialsInTheUrlAreRefusedWithoutRepeatingThem() {
    assertThatThrownBy(
            () ->
                new AdminCredentials(
                    "jdbc:postgresql://db:5432/wr?user=postgres&password=hunter2", "postgres", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("admin JDBC URL carries the parameter 'user'")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(
            () -> new AdminCredentials("jdbc:postgresql://db/wr?password=hunter2", "postgres", "x"))
        .hasMessageStartingWith("admin JDBC URL carries the parameter 'password'")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(
            () ->
                new AdminCredentials(
                    "jdbc:postgresql://db/wr?options=-c%20search_path%3Dpublic", "postgres", "x"))
        .hasMessageStartingWith("admin JDBC URL carries the parameter 'options'");
  }

  @Test
  void aUrlOfAnotherDatabaseIsRefused() {
    assertThatThrownBy(() -> new AdminCredentials("jdbc:mysql://db/wr", "root", "hunter2"))
        .hasMessage(
            "admin JDBC URL is not a PostgreSQL URL (expected: jdbc:postgresql://host:port/database)");
  }

  @Test
  void theAdminPasswordStaysOutOfToString() {
    AdminCredentials admin = new AdminCredentials("jdbc:postgresql://db/wr", "postgres", "hunter2");
    assertThat(admin.toString()).doesNotContain("hunter2").contains("password=***");
  }

  @Test
  void theDerivedPasswordDependsOnTheAdminLoginAndTheRoleOnly() {
    AdminCredentials admin = new AdminCredentials("jdbc:postgresql://db/wr", "postgres", "hunter2");
    AdminCredentials sameLoginOtherHost =
        new AdminCredentials("jdbc:postgresql://db.internal:5432/wr", "postgres", "hunter2");
    assertThat(RolePasswords.derive(sameLoginOtherHost, "wr__a"))
        .isEqualTo(RolePasswords.derive(admin, "wr__a"))
        .hasSize(43)
        .matches("[A-Za-z0-9_-]+");
    assertThat(RolePasswords.derive(admin, "wr__b"))
        .isNotEqualTo(RolePasswords.derive(admin, "wr__a"));
  }
}
