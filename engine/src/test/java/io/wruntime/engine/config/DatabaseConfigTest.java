package io.wruntime.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.config.ConfigException;
import io.wruntime.engine.db.PostgresUrl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code [database]} and {@code [module.capabilities.db]} of engine.toml. */
class DatabaseConfigTest {
  private static final String PASSWORD = "pa:ss@w0rd-secret";
  private static final String MODULE =
      """
      [[module]]
      name = "orders"
      namespace = "shop"
      version = "1.0.0"
      wasm_path = "/m.wasm"
      [module.capabilities.db]
      """;

  private static EngineConfig parse(String text) {
    return EngineConfig.parse("engine.toml", text, Map.of("DB_PASSWORD", "s3cr3t"));
  }

  private static String errorOf(String text) {
    try {
      parse(text);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("no error for:\n" + text);
  }

  @Test
  void readsEveryKeyAndExpandsTheEnvironment() {
    EngineConfig config =
        parse(
            """
            [database]
            url = "postgresql://app:${DB_PASSWORD}@db.example:6543/shop"
            max_connections = 7
            statement_timeout_secs = 3
            idle_in_transaction_timeout_secs = 4
            connection_timeout_secs = 2
            """
                + MODULE
                + "migrations_path = \"/srv/migrations\"\n");
    DatabaseConfig db = config.database();
    assertThat(db.url()).isEqualTo(new PostgresUrl("db.example", 6543, "shop", "app", "s3cr3t"));
    assertThat(db.url().jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/shop");
    assertThat(db.maxConnections()).isEqualTo(7);
    assertThat(db.statementTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(db.idleInTransactionTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(db.connectionTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.modules().get(0).capabilities().db())
        .isEqualTo(new ModuleCapabilities.Db(null, Path.of("/srv/migrations")));
    assertThat(db.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void defaultsAndAModulesOwnUrlFile() {
    EngineConfig config = parse(MODULE + "url_file = \"/var/run/wr/db/url\"\n");
    assertThat(config.database()).isEqualTo(DatabaseConfig.defaults());
    assertThat(config.database().maxConnections()).isEqualTo(20);
    assertThat(config.database().statementTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.database().idleInTransactionTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.database().connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.modules().get(0).capabilities().db().urlFile())
        .isEqualTo(Path.of("/var/run/wr/db/url"));
  }

  @Test
  void aDbGrantWithoutAnyDatabaseIsRefusedWhenTheEngineStartsNamingBothKeys() {
    EngineConfig config = parse(MODULE);
    assertThatThrownBy(config::requireDatabases)
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "engine.toml: module[0] (shop.orders@1.0.0) is granted [module.capabilities.db] but no"
                + " database is configured (expected: [module.capabilities.db] url_file, or"
                + " [database] url or url_file)");
    // The engine checks it before it starts anything.
    assertThatThrownBy(
            () ->
                io.wruntime.engine.Engine.start(
                    config,
                    definition -> {
                      throw new AssertionError("nothing is loaded");
                    }))
        .isInstanceOf(ConfigException.class)
        .hasMessageEndingWith(
            "(expected: [module.capabilities.db] url_file, or [database] url or url_file)");
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    assertThat(errorOf("[database]\nurl = \"x\"\nurl_file = \"/f\"\n"))
        .isEqualTo(
            "engine.toml: database.url and url_file are both set (expected: one of them, the URL"
                + " or a file holding it)");
    assertThat(errorOf("[database]\nmax_connections = 0\n"))
        .isEqualTo(
            "engine.toml: database.max_connections = 0 (expected: an integer from 1 to 10000)");
    assertThat(errorOf("[database]\nstatement_timeout = 3\n"))
        .startsWith("engine.toml: database.statement_timeout is not a known key");
    assertThat(errorOf("[database]\nurl = \"mysql://u:p@h/db\"\n"))
        .isEqualTo(
            "engine.toml: database.url does not start with postgresql:// (expected:"
                + " postgresql://user:password@host:port/db)");
    assertThat(errorOf("[database]\nurl = \"postgresql://u:p@h:99999/db\"\n"))
        .isEqualTo("engine.toml: database.url has port 99999 (expected: a port from 1 to 65535)");
    assertThat(errorOf("[database]\nurl = \"postgresql://u:p@h:5432/\"\n"))
        .isEqualTo(
            "engine.toml: database.url names no database (expected:"
                + " postgresql://user:password@host:port/db)");
  }

  @Test
  void theUrlsPasswordIsInNoErrorMessage() {
    String[] bad = {
      "postgresql://app:" + PASSWORD + "@host:5432/db",
      "postgresql://app:" + PASSWORD + "@host:70000/db",
      "postgresql://app:" + PASSWORD + "@host/",
      "postgresql://:" + PASSWORD + "@host/db",
      "postgres ql://app:" + PASSWORD + "@host/db",
      "postgresql://app:%zz" + PASSWORD + "@host/db",
    };
    for (String url : bad) {
      String message = errorOf("[database]\nurl = \"" + url + "\"\n");
      assertThat(message).startsWith("engine.toml: database.url ").doesNotContain(PASSWORD);
      assertThat(message).doesNotContain("pa:ss").doesNotContain("w0rd");
    }
    assertThatThrownBy(() -> PostgresUrl.parse("postgresql://app:" + PASSWORD + "@/db"))
        .hasMessageNotContaining(PASSWORD);
    assertThat(PostgresUrl.parse("postgresql://app:pw%40x@127.0.0.1/db").toString())
        .isEqualTo("postgresql://app:***@127.0.0.1:5432/db");
    assertThat(PostgresUrl.parse("postgresql://app:pw%40x@127.0.0.1/db").password())
        .isEqualTo("pw@x");
  }
}
