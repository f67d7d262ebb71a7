package io.wruntime.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a module notices of its database: it logs in as its namespace's role, works in its own
 * schema, cannot reach another namespace's data by any of the usual escapes, and its migrations run
 * once, in order, even when engines start together. Against a real PostgreSQL that checks
 * passwords.
 */
class SchemaProvisionerIT {
  private static final ConnectionSettings DEFAULTS =
      new ConnectionSettings(Duration.ofSeconds(30), Duration.ofSeconds(60));

  private static PasswordCheckingPostgres postgres;
  private static AdminCredentials admin;

  @TempDir Path dir;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PasswordCheckingPostgres.start();
    admin = postgres.createDatabase("wr");
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aModuleCannotReadNorChangeAnotherNamespacesTables() throws Exception {
    SchemaProvisioner provisioner = new SchemaProvisioner(admin);
    ModuleLogin a = provisioner.provision("iso-a", "shop", null);
    ModuleLogin b = provisioner.provision("iso-b", "shop", null);
    assertThat(a.user()).isEqualTo("wr__iso_a");
    assertThat(b.schema()).isEqualTo("wr__iso_b__shop");
    try (Connection cb = b.connect(DEFAULTS)) {
      exec(cb, "CREATE TABLE orders (id int PRIMARY KEY, item text)");
      exec(cb, "INSERT INTO orders VALUES (1, 'secret of b')");
    }

    try (Connection ca = a.connect(DEFAULTS)) {
      String orders = "wr__iso_b__shop.orders";
      refused(ca, "SELECT * FROM " + orders, "42501");
      refused(ca, "UPDATE " + orders + " SET item = 'changed by a'", "42501");
      refused(ca, "DELETE FROM " + orders, "42501");
      refused(ca, "INSERT INTO " + orders + " VALUES (2, 'from a')", "42501");
      refused(ca, "TRUNCATE " + orders, "42501");
      refused(ca, "DROP TABLE " + orders, "42501");
      refused(ca, "ALTER TABLE " + orders + " ADD COLUMN x int", "42501");
      refused(ca, "GRANT SELECT ON " + orders + " TO wr__iso_a", "42501");
      refused(ca, "CREATE TABLE wr__iso_b__shop.planted (x int)", "42501");

      // A schema without USAGE is skipped in the search_path: b's names do not resolve.
      exec(ca, "SET search_path TO wr__iso_b__shop");
      refused(ca, "SELECT * FROM orders", "42P01");
      refused(ca, "UPDATE orders SET item = 'changed by a'", "42P01");
      refused(ca, "CREATE TABLE orders (x int)", "3F000");
      exec(ca, "RESET search_path");

      try (Connection cb = b.connect(DEFAULTS)) {
        String pid = strings(cb, "SELECT pg_backend_pid()").get(0);
        refused(ca, "SELECT pg_terminate_backend(" + pid + ")", "42501");
        refused(ca, "SELECT pg_cancel_backend(" + pid + ")", "42501");
      }

      refused(ca, "SET ROLE wr__iso_b", "42501");
      refused(ca, "SET SESSION AUTHORIZATION wr__iso_b", "42501");
      refused(ca, "SET ROLE postgres", "42501");

      // Nothing can be planted in public for others to resolve.
      refused(ca, "CREATE TABLE public.orders (x int)", "42501");
      refused(
          ca,
          "CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE sql AS 'SELECT $1'",
          "42501");

      assertThat(
              strings(
                  ca,
                  "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                      + " WHERE table_schema LIKE 'wr\\_\\_%'"))
          .doesNotContain("wr__iso_b__shop.orders");
    }

    try (Connection cb = b.connect(DEFAULTS)) {
      assertThat(strings(cb, "SELECT id || ':' || item FROM orders"))
          .containsExactly("1:secret of b");
    }
  }

  @Test
  void aModuleUsesItsOwnSchemaUnqualifiedAndSeesItsTablesListed() throws Exception {
    ModuleLogin login = new SchemaProvisioner(admin).provision("own", "cart", null);
    try (Connection c = login.connect(DEFAULTS)) {
      assertThat(strings(c, "SELECT current_schema()")).containsExactly("wr__own__cart");
      exec(c, "CREATE TABLE items (sku text PRIMARY KEY, qty int NOT NULL)");
      exec(c, "INSERT INTO items VALUES ('apple', 3)");
      exec(c, "UPDATE items SET qty = qty - 1");
      assertThat(strings(c, "SELECT sku || '=' || qty FROM items")).containsExactly("apple=2");
      assertThat(strings(c, "SELECT schemaname FROM pg_tables WHERE tablename = 'items'"))
          .containsExactly("wr__own__cart");
      assertThat(
              strings(
                  c,
                  "SELECT table_name FROM information_schema.tables"
                      + " WHERE table_schema = 'wr__own__cart' ORDER BY 1"))
          .containsExactly("items", "wr_migrations");
    }
  }

  @Test
  void aModuleCannotCreateRolesSchemasDatabasesNorRaiseItsRole() throws Exception {
    ModuleLogin login = new SchemaProvisioner(admin).provision("tight", "app", null);
    try (Connection c = login.connect(DEFAULTS)) {
      refused(c, "CREATE ROLE intruder LOGIN", "42501");
      refused(c, "CREATE SCHEMA elsewhere", "42501");
      refused(c, "CREATE DATABASE other", "42501");
      refused(c, "CREATE TEMP TABLE scratch (x int)", "42501");
      refused(c, "ALTER ROLE wr__tight CREATEROLE", "42501");
      refused(c, "ALTER ROLE wr__tight SUPERUSER", "42501");
      refused(c, "SELECT pg_read_file('postgresql.conf')", "42501");
      refused(c, "COPY (SELECT 1) TO '/tmp/wr-module-escape'", "42501");
      refused(c, "CREATE EXTENSION pgcrypto", "42501");
    }
  }

  @Test
  void modulesOfOneNamespaceShareItsRoleAndReachEachOthersSchemas() throws Exception {
    SchemaProvisioner provisioner = new SchemaProvisioner(admin);
    ModuleLogin orders = provisioner.provision("same", "orders", null);
    ModuleLogin billing = provisioner.provision("same", "billing", null);
    assertThat(billing.user()).isEqualTo(orders.user());
    try (Connection c = orders.connect(DEFAULTS)) {
      exec(c, "CREATE TABLE placed (id int)");
      exec(c, "INSERT INTO placed VALUES (7)");
    }
    try (Connection c = billing.connect(DEFAULTS)) {
      assertThat(strings(c, "SELECT id FROM wr__same__orders.placed")).containsExactly("7");
    }
  }

  @Test
  void settingsStartEveryConnectionAndSurviveResetAll() throws Exception {
    ModuleLogin login = new SchemaProvisioner(admin).provision("settings", "app", null);
    ConnectionSettings settings =
        new ConnectionSettings(Duration.ofMillis(1500), Duration.ofSeconds(45));
    try (Connection c = login.connect(settings)) {
      exec(c, "SET search_path TO public");
      exec(c, "SET statement_timeout = 0");
      exec(c, "RESET ALL");
      assertThat(strings(c, "SHOW search_path")).containsExactly("wr__settings__app");
      assertThat(strings(c, "SHOW statement_timeout")).containsExactly("1500ms");
      assertThat(strings(c, "SHOW idle_in_transaction_session_timeout")).containsExactly("45s");
    }
  }

  @Test
  void aStatementRunningPastTheStatementTimeoutIsCancelled() throws Exception {
    ModuleLogin login = new SchemaProvisioner(admin).provision("slow", "app", null);
    try (Connection c =
        login.connect(new ConnectionSettings(Duration.ofMillis(200), Duration.ZERO))) {
      refused(c, "SELECT pg_sleep(60)", "57014");
      assertThat(strings(c, "SELECT 'still usable'")).containsExactly("still usable");
    }
  }

  @Test
  void aSessionIdleInATransactionPastTheTimeoutIsEnded() throws Exception {
    ModuleLogin login = new SchemaProvisioner(admin).provision("idle", "app", null);
    try (Connection c =
        login.connect(new ConnectionSettings(Duration.ZERO, Duration.ofMillis(300)))) {
      int pid = Integer.parseInt(strings(c, "SELECT pg_backend_pid()").get(0));
      c.setAutoCommit(false);
      exec(c, "SELECT 1");
      try (Connection observer = adminConnection()) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    strings(observer, "SELECT pid FROM pg_stat_activity WHERE pid = " + pid)
                        .isEmpty());
      }
      assertThatThrownBy(() -> exec(c, "SELECT 2")).isInstanceOf(SQLException.class);
    }
  }

  @Test
  void migrationsRunOnceInNameOrderAndARerunIsANoOp() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("migrations"));
    Files.writeString(
        migrations.resolve("001_init.sql"),
        "CREATE TABLE steps (n serial PRIMARY KEY, label text);\n"
            + "INSERT INTO steps (label) VALUES ('001');\n");
    Files.writeString(
        migrations.resolve("010_third.sql"), "INSERT INTO steps (label) VALUES ('010');");
    Files.writeString(
        migrations.resolve("002_second.sql"), "INSERT INTO steps (label) VALUES ('002');");
    Files.writeString(migrations.resolve("README.md"), "not a migration");

    SchemaProvisioner provisioner = new SchemaProvisioner(admin);
    ModuleLogin login = provisioner.provision("mig", "app", migrations);
    provisioner.provision("mig", "app", migrations);
    new SchemaProvisioner(admin).provision("mig", "app", migrations);

    try (Connection c = login.connect(DEFAULTS)) {
      assertThat(strings(c, "SELECT label FROM steps ORDER BY n"))
          .containsExactly("001", "002", "010");
      assertThat(strings(c, "SELECT name FROM wr_migrations ORDER BY applied_at, name"))
          .containsExactly("001_init.sql", "002_second.sql", "010_third.sql");
      assertThat(strings(c, "SELECT sha256 FROM wr_migrations WHERE name = '001_init.sql'"))
          .containsExactly(
              Migration.sha256(Files.readAllBytes(migrations.resolve("001_init.sql"))));
    }

    Files.writeString(
        migrations.resolve("011_fourth.sql"), "INSERT INTO steps (label) VALUES ('011');");
    provisioner.provision("mig", "app", migrations);
    try (Connection c = login.connect(DEFAULTS)) {
      assertThat(strings(c, "SELECT label FROM steps ORDER BY n"))
          .containsExactly("001", "002", "010", "011");
    }
  }

  @Test
  void enginesStartingTogetherApplyEachMigrationOnce() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("migrations"));
    Files.writeString(migrations.resolve("001_init.sql"), "CREATE TABLE hits (file text);");
    for (int i = 2; i <= 6; i++) {
      Files.writeString(
          migrations.resolve(String.format("%03d_hit.sql", i)),
          "INSERT INTO hits VALUES ('" + i + "'); SELECT pg_sleep(0.05);");
    }
    int engines = 4;
    CyclicBarrier start = new CyclicBarrier(engines);
    ExecutorService pool = Executors.newFixedThreadPool(engines);
    try {
      List<Future<ModuleLogin>> results = new ArrayList<>();
      for (int i = 0; i < engines; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return new SchemaProvisioner(admin).provision("race", "app", migrations);
                }));
      }
      ModuleLogin login = null;
      for (Future<ModuleLogin> result : results) {
        login = result.get();
      }
      try (Connection c = login.connect(DEFAULTS)) {
        assertThat(strings(c, "SELECT file FROM hits ORDER BY file"))
            .containsExactly("2", "3", "4", "5", "6");
        assertThat(strings(c, "SELECT count(*) FROM wr_migrations")).containsExactly("6");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailingMigrationIsRolledBackNamedWithPostgresMessageAndStopsTheNextOnes() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("migrations"));
    Files.writeString(migrations.resolve("001_init.sql"), "CREATE TABLE t (x int);");
    Files.writeString(
        migrations.resolve("002_broken.sql"),
        "CREATE TABLE half_done (x int);\nINSERT INTO no_such_table VALUES (1);");
    Files.writeString(migrations.resolve("003_later.sql"), "INSERT INTO t VALUES (3);");
    SchemaProvisioner provisioner = new SchemaProvisioner(admin);

    assertThatThrownBy(() -> provisioner.provision("broken", "app", migrations))
        .isInstanceOf(DbProvisioningException.class)
        .hasMessageContaining("migration 002_broken.sql failed on schema wr__broken__app")
        .hasMessageContaining("relation \"no_such_table\" does not exist")
        .hasMessageContaining("42P01");

    ModuleLogin login = loginOf("broken");
    try (Connection c = login.connect(DEFAULTS)) {
      assertThat(strings(c, "SELECT name FROM wr_migrations")).containsExactly("001_init.sql");
      assertThat(strings(c, "SELECT to_regclass('half_done')::text"))
          .containsExactly((String) null);
      assertThat(strings(c, "SELECT count(*) FROM t")).containsExactly("0");
    }

    Files.writeString(migrations.resolve("002_broken.sql"), "CREATE TABLE half_done (x int);");
    provisioner.provision("broken", "app", migrations);
    try (Connection c = login.connect(DEFAULTS)) {
      assertThat(strings(c, "SELECT count(*) FROM t")).containsExactly("1");
    }
  }

  @Test
  void anAppliedMigrationThatChangedIsRefusedByName() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("migrations"));
    Files.writeString(migrations.resolve("001_init.sql"), "CREATE TABLE t (x int);");
    Files.writeString(migrations.resolve("002_more.sql"), "ALTER TABLE t ADD COLUMN y int;");
    SchemaProvisioner provisioner = new SchemaProvisioner(admin);
    provisioner.provision("changed", "app", migrations);

    Files.writeString(migrations.resolve("001_init.sql"), "CREATE TABLE t (x bigint);");
    Files.writeString(migrations.resolve("003_new.sql"), "CREATE TABLE u (x int);");
    assertThatThrownBy(() -> provisioner.provision("changed", "app", migrations))
        .isInstanceOf(DbProvisioningException.class)
        .hasMessageContaining("migration 001_init.sql was changed after it was applied");
    try (Connection c = loginOf("changed").connect(DEFAULTS)) {
      assertThat(strings(c, "SELECT to_regclass('u')::text")).containsExactly((String) null);
    }
  }

  @Test
  void aNewMigrationSortingBeforeAnAppliedOneIsRefused() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("migrations"));
    Files.writeString(migrations.resolve("002_init.sql"), "CREATE TABLE t (x int);");
    SchemaProvisioner provisioner = new SchemaProvisioner(admin);
    provisioner.provision("order", "app", migrations);
    Files.writeString(migrations.resolve("001_late.sql"), "CREATE TABLE u (x int);");
    assertThatThrownBy(() -> provisioner.provision("order", "app", migrations))
        .isInstanceOf(DbProvisioningException.class)
        .hasMessageContaining("migration 001_late.sql is new but sorts before 002_init.sql");
  }

  @Test
  void aNonSuperuserAdminThatOwnsTheDatabaseProvisionsTheSameLockDown() throws Exception {
    try (Connection c = adminConnection()) {
      exec(c, "CREATE ROLE wr_test_owner LOGIN CREATEROLE PASSWORD 'owner-password'");
    }
    AdminCredentials owner = postgres.createDatabase("owned", "wr_test_owner", "owner-password");
    // As PostgreSQL 15+ sets it up (pg_database_owner owns public); 14 gives it to the superuser.
    try (Connection c =
        DriverManager.getConnection(
            postgres.jdbcUrl("owned"), PasswordCheckingPostgres.ADMIN_USER, "")) {
      exec(c, "ALTER SCHEMA public OWNER TO wr_test_owner");
    }
    SchemaProvisioner provisioner = new SchemaProvisioner(owner);
    ModuleLogin a = provisioner.provision("own-a", "app", null);
    ModuleLogin b = provisioner.provision("own-b", "app", null);
    provisioner.provision("own-a", "app", null);
    try (Connection cb = b.connect(DEFAULTS)) {
      exec(cb, "CREATE TABLE private (x int)");
    }
    try (Connection ca = a.connect(DEFAULTS)) {
      refused(ca, "SELECT * FROM wr__own_b__app.private", "42501");
      refused(ca, "CREATE SCHEMA elsewhere", "42501");
      refused(ca, "CREATE TABLE public.planted (x int)", "42501");
      refused(ca, "SET ROLE wr_test_owner", "42501");
    }
  }

  @Test
  void anAdminThatCannotLockDownSchemaPublicIsRefusedWithTheRemedy() throws Exception {
    try (Connection c = adminConnection()) {
      exec(c, "CREATE ROLE wr_test_db_owner LOGIN CREATEROLE PASSWORD 'db-owner-password'");
    }
    AdminCredentials owner =
        postgres.createDatabase("public_not_owned", "wr_test_db_owner", "db-owner-password");
    assertThatThrownBy(() -> new SchemaProvisioner(owner).provision("weak", "app", null))
        .isInstanceOf(DbProvisioningException.class)
        .hasMessageStartingWith(
            "cannot prepare role wr__weak and schema wr__weak__app: role wr__weak still has CREATE"
                + " on schema public after the admin revoked them")
        .hasMessageContaining("run REVOKE CREATE ON SCHEMA public FROM PUBLIC once as a superuser");
    try (Connection c = adminConnection()) {
      assertThat(strings(c, "SELECT rolname FROM pg_roles WHERE rolname = 'wr__weak'")).isEmpty();
    }
  }

  @Test
  void anAdminThatNeitherIsASuperuserNorOwnsTheDatabaseIsRefused() throws Exception {
    try (Connection c = adminConnection()) {
      exec(c, "CREATE ROLE wr_test_creator LOGIN CREATEROLE PASSWORD 'creator-password'");
      exec(c, "CREATE DATABASE not_owned");
    }
    AdminCredentials creator =
        new AdminCredentials(postgres.jdbcUrl("not_owned"), "wr_test_creator", "creator-password");
    assertThatThrownBy(() -> new SchemaProvisioner(creator).provision("weak", "app", null))
        .isInstanceOf(DbProvisioningException.class)
        .hasMessage(
            "cannot prepare role wr__weak and schema wr__weak__app: the admin role is neither a"
                + " superuser nor a role with CREATEROLE that owns database not_owned (expected: a"
                + " superuser, or a role with CREATEROLE that owns the database)");
  }

  @Test
  void waitingForAnotherEnginesMigrationLockIsBoundedAndNamed() throws Exception {
    SchemaProvisioner provisioner = new SchemaProvisioner(admin, Duration.ofMillis(300));
    provisioner.provision("locked", "app", null);
    try (Connection holder = adminConnection()) {
      exec(
          holder,
          "SELECT pg_advisory_lock("
              + SchemaProvisioner.lockKey("wruntime/migrations/wr__locked__app")
              + ")");
      assertThatThrownBy(() -> provisioner.provision("locked", "app", null))
          .isInstanceOf(DbProvisioningException.class)
          .hasMessageStartingWith(
              "timed out after PT0.3S waiting for the advisory lock of the migrations of schema"
                  + " wr__locked__app");
    }
    provisioner.provision("locked", "app", null);
  }

  @Test
  void aMissingMigrationsDirectoryIsNamedBeforeTheDatabaseIsTouched() throws Exception {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> new SchemaProvisioner(admin).provision("nodir", "app", missing))
        .isInstanceOf(DbProvisioningException.class)
        .hasMessage(
            "migrations directory "
                + missing
                + " does not exist (expected: a directory of *.sql files)");
    try (Connection c = adminConnection()) {
      assertThat(strings(c, "SELECT rolname FROM pg_roles WHERE rolname = 'wr__nodir'")).isEmpty();
    }
  }

  @Test
  void theRolePasswordIsDerivedCheckedByTheServerAndRestoredWhenChanged() throws Exception {
    ModuleLogin first = new SchemaProvisioner(admin).provision("pw", "app", null);
    ModuleLogin again = new SchemaProvisioner(admin).provision("pw", "other", null);
    ModuleLogin otherNamespace = new SchemaProvisioner(admin).provision("pw-2", "app", null);
    assertThat(again.password()).isEqualTo(first.password());
    assertThat(otherNamespace.password()).isNotEqualTo(first.password());
    AdminCredentials otherAdmin =
        new AdminCredentials(admin.jdbcUrl(), admin.user(), "another-admin-password");
    assertThat(RolePasswords.derive(otherAdmin, "wr__pw")).isNotEqualTo(first.password());

    Properties wrong = first.connectionProperties(DEFAULTS);
    wrong.setProperty("password", "guessed");
    assertThatThrownBy(() -> DriverManager.getConnection(first.jdbcUrl(), wrong).close())
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));

    try (Connection c = adminConnection()) {
      exec(c, "ALTER ROLE wr__pw PASSWORD 'set-by-an-operator'");
    }
    assertThatThrownBy(() -> first.connect(DEFAULTS).close()).isInstanceOf(SQLException.class);
    new SchemaProvisioner(admin).provision("pw", "app", null);
    try (Connection c = first.connect(DEFAULTS)) {
      assertThat(strings(c, "SELECT current_user")).containsExactly("wr__pw");
    }
  }

  @Test
  void theDerivedPasswordAppearsInNoMessageNorToString() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("migrations"));
    Files.writeString(migrations.resolve("001_bad.sql"), "SELEC 1;");
    SchemaProvisioner provisioner = new SchemaProvisioner(admin);
    Throwable failed = catchThrowable(() -> provisioner.provision("secret", "app", migrations));
    ModuleLogin login = loginOf("secret");
    String password = login.password();

    assertThat(login.toString()).doesNotContain(password).contains("password=***");
    assertThat(admin.toString()).doesNotContain(PasswordCheckingPostgres.ADMIN_PASSWORD);
    assertThat(failed).isInstanceOf(DbProvisioningException.class);
    for (Throwable t = failed; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(password);
    }
    Files.writeString(migrations.resolve("001_bad.sql"), "SELECT 1;");
    provisioner.provision("secret", "app", migrations);
    Files.writeString(migrations.resolve("001_bad.sql"), "SELECT 2;");
    Throwable changed = catchThrowable(() -> provisioner.provision("secret", "app", migrations));
    assertThat(changed).hasMessageNotContaining(password);
  }

  private static ModuleLogin loginOf(String namespace) {
    ModuleDbNames names = ModuleDbNames.of(namespace, "app");
    return new ModuleLogin(
        admin.jdbcUrl(), names.role(), RolePasswords.derive(admin, names.role()), names.schema());
  }

  private static Throwable catchThrowable(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    return org.assertj.core.api.Assertions.catchThrowable(call);
  }

  private static Connection adminConnection() throws SQLException {
    return admin.connect();
  }

  private static void refused(Connection c, String sql, String sqlState) {
    assertThatThrownBy(() -> exec(c, sql))
        .as(sql)
        .isInstanceOfSatisfying(
            SQLException.class,
            e -> assertThat(e.getSQLState()).as(sql + ": " + e.getMessage()).isEqualTo(sqlState));
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }
}
