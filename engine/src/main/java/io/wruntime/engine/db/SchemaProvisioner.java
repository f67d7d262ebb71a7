package io.wruntime.engine.db;

import static io.wruntime.engine.db.ModuleDbNames.quote;
import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.util.PasswordUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the database of a module granted {@code wruntime:db}: the login role {@code wr__{ns}} of
 * its namespace, its schema {@code wr__{ns}__{name}}, and its migrations.
 *
 * <h2>What a module's connections can do</h2>
 *
 * <ul>
 *   <li>They log in as {@code wr__{ns}}: {@code LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
 *       NOREPLICATION NOBYPASSRLS NOINHERIT}, a member of no role (provisioning fails if someone
 *       made it one), so {@code SET ROLE} to anything else is refused.
 *   <li>The role owns the schemas of its namespace's modules and nothing else. Other namespaces'
 *       schemas grant it no {@code USAGE}: their tables cannot be read or changed, neither by
 *       qualified name nor after {@code SET search_path} (a schema without {@code USAGE} is skipped
 *       in the path). Modules of one namespace share the role, so they can reach each other's
 *       schemas by qualified name: the isolation boundary is the namespace.
 *   <li>The database: {@code ALL} is revoked from {@code PUBLIC} (no {@code CREATE} of schemas, no
 *       {@code TEMPORARY} tables, no {@code CONNECT} for roles not granted it) and each namespace
 *       role gets {@code CONNECT} only. The {@code public} schema loses {@code CREATE} for {@code
 *       PUBLIC} and the role (PostgreSQL 15+ already ships it so; 14 and older do not), so nothing
 *       can be planted there for other namespaces to run.
 *   <li>{@code search_path}: each connection starts with the module's schema alone (see {@link
 *       ConnectionSettings}), so unqualified names land in it. The role's own default ({@code ALTER
 *       ROLE ... SET search_path}) is empty, because a role serves several modules: a session
 *       opened without the module's settings has no schema to create objects in.
 * </ul>
 *
 * <h2>System schemas</h2>
 *
 * <p>{@code pg_catalog} stays readable: the JDBC driver, {@code psql} and PostgreSQL itself read it
 * (types, functions, operators), and revoking it breaks every client. What a module can see there
 * is metadata, never rows: the names and column types of other namespaces' tables, function
 * sources, role names. {@code information_schema} shows only objects the role has a privilege on,
 * i.e. its own namespace's. "Cannot see system schemas" therefore means: no privilege beyond
 * reading the catalog as every PostgreSQL role can, no server-file or superuser functions, and no
 * data of another namespace. A deployment that must hide even table names gives each namespace its
 * own database ({@code [module.capabilities.db] url_file}).
 *
 * <h2>Concurrency</h2>
 *
 * <p>Several engines may prepare the same module at once. Roles, schemas and grants are prepared in
 * one admin transaction holding a transaction-level advisory lock on a global wruntime key; the
 * migrations of a schema run under a session-level advisory lock on a key derived from the schema
 * name, taken by the namespace role's connection. Waiting for either lock is bounded by the lock
 * timeout given to the constructor.
 *
 * <h2>Migrations</h2>
 *
 * <p>The {@code *.sql} files of the migrations directory, sorted by name, each applied once, in its
 * own transaction, logged in as the namespace role with {@code search_path} = the module's schema
 * and no statement timeout; each is recorded in {@code wr__{ns}__{name}.wr_migrations(name, sha256,
 * applied_at)} in the same transaction. A file already applied whose bytes changed, or a new file
 * sorting before one already applied, is refused. A failing file is rolled back and stops the
 * remaining ones; the exception names it with PostgreSQL's message. Files must not contain {@code
 * BEGIN}/{@code COMMIT}, nor statements that cannot run in a transaction ({@code CREATE INDEX
 * CONCURRENTLY}).
 *
 * <h2>Admin role</h2>
 *
 * <p>A superuser, or a role with {@code CREATEROLE} that owns the database (only the owner can
 * revoke {@code PUBLIC}'s database privileges) and schema {@code public} (PostgreSQL 15+ gives it
 * to the database owner; on 14 and older a superuser must revoke {@code CREATE} on it once). A
 * non-superuser admin is made a member of each namespace role so that it may create schemas owned
 * by it (the other direction never). After the grants, what the role can do is checked, not
 * assumed: a role that still has {@code CREATE} or {@code TEMPORARY} on the database or {@code
 * CREATE} on {@code public} fails provisioning, and nothing is created.
 *
 * <p>Instances are immutable and may be shared by threads; each call opens its own connections.
 */
public final class SchemaProvisioner {
  /** The default bound on waiting for another engine's provisioning or migrations. */
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMinutes(2);

  private static final Logger log = LoggerFactory.getLogger(SchemaProvisioner.class);
  private static final long PROVISION_LOCK = lockKey("wruntime/provision");
  private static final String SQLSTATE_LOCK_NOT_AVAILABLE = "55P03";
  private static final String SQLSTATE_INVALID_PASSWORD = "28P01";
  private static final String SQLSTATE_INVALID_AUTHORIZATION = "28000";

  private final AdminCredentials admin;
  private final Duration lockTimeout;

  /** A provisioner with {@link #DEFAULT_LOCK_TIMEOUT}. */
  public SchemaProvisioner(AdminCredentials admin) {
    this(admin, DEFAULT_LOCK_TIMEOUT);
  }

  public SchemaProvisioner(AdminCredentials admin, Duration lockTimeout) {
    this.admin = requireNonNull(admin, "admin");
    requireNonNull(lockTimeout, "lockTimeout");
    if (lockTimeout.isNegative()
        || lockTimeout.isZero()
        || lockTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException(
          "lockTimeout: " + lockTimeout + " (expected: from 1 ms to " + Integer.MAX_VALUE + " ms)");
    }
    this.lockTimeout = lockTimeout;
  }

  /**
   * Prepares module {@code name} of {@code namespace}: its role, schema and migrations.
   *
   * @param migrationsDirectory a directory of {@code *.sql} files, or null for none
   * @return how the module's connections log in
   * @throws IllegalArgumentException when the namespace or name is not valid
   * @throws DbProvisioningException when the database could not be prepared or a migration failed
   */
  public ModuleLogin provision(String namespace, String name, Path migrationsDirectory) {
    ModuleDbNames names = ModuleDbNames.of(namespace, name);
    // Read the files first: a bad directory fails before the database is touched.
    List<Migration> migrations =
        migrationsDirectory == null ? List.of() : Migration.readDirectory(migrationsDirectory);
    return provision(names, migrations);
  }

  /** Like {@link #provision(String, String, Path)}, with the migrations given. */
  public ModuleLogin provision(ModuleDbNames names, List<Migration> migrations) {
    requireNonNull(names, "names");
    requireNonNull(migrations, "migrations");
    String password = RolePasswords.derive(admin, names.role());
    boolean created = prepareRoleAndSchema(names, password);
    ModuleLogin login = new ModuleLogin(admin.jdbcUrl(), names.role(), password, names.schema());
    try (Connection connection = logIn(login, created)) {
      migrate(connection, names.schema(), migrations);
    } catch (SQLException e) {
      throw new DbProvisioningException(
          "cannot migrate schema " + names.schema() + ": " + e.getMessage(), e);
    }
    return login;
  }

  /**
   * Creates or checks the role and the schema, and sets the grants; true when it created the role.
   */
  private boolean prepareRoleAndSchema(ModuleDbNames names, String password) {
    String role = names.role();
    String schema = names.schema();
    boolean created;
    try (Connection c = admin.connect()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        // Nothing a module created may be resolved by the admin's unqualified names.
        st.execute("SET LOCAL search_path = pg_catalog");
        st.execute("SET LOCAL lock_timeout = " + lockTimeout.toMillis());
        lock(c, PROVISION_LOCK, "SELECT pg_advisory_xact_lock(?)", "role and schema " + schema);

        boolean adminIsSuperuser = adminIsSuperuser(c);
        created = !roleExists(c, role);
        if (created) {
          st.execute(
              "CREATE ROLE "
                  + quote(role)
                  + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"
                  + " PASSWORD '"
                  + PasswordUtil.encodeScramSha256(password.toCharArray())
                  + "'");
        } else {
          lockDownExistingRole(c, st, role);
        }
        if (!adminIsSuperuser) {
          st.execute("GRANT " + quote(role) + " TO CURRENT_USER");
        }
        st.execute("ALTER ROLE " + quote(role) + " SET search_path = ''");

        String owner = schemaOwner(c, schema);
        if (owner == null) {
          st.execute("CREATE SCHEMA " + quote(schema) + " AUTHORIZATION " + quote(role));
        } else if (!owner.equals(role)) {
          throw new DbProvisioningException(
              "schema "
                  + schema
                  + " is owned by role "
                  + owner
                  + " (expected: owned by "
                  + role
                  + ")");
        }
        st.execute("REVOKE ALL ON SCHEMA " + quote(schema) + " FROM PUBLIC");
        if (schemaOwner(c, "public") != null) {
          st.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
          st.execute("REVOKE CREATE ON SCHEMA public FROM " + quote(role));
        }
        String database = quote(currentDatabase(c));
        st.execute("REVOKE ALL ON DATABASE " + database + " FROM PUBLIC");
        st.execute("REVOKE ALL ON DATABASE " + database + " FROM " + quote(role));
        st.execute("GRANT CONNECT ON DATABASE " + database + " TO " + quote(role));
        checkLockedDown(c, role);
      }
      c.commit();
      if (created) {
        log.info("db: created role {} and schema {}", role, schema);
      }
      return created;
    } catch (SQLException | DbProvisioningException e) {
      // Closing the connection without a commit rolled everything back.
      throw new DbProvisioningException(
          "cannot prepare role " + role + " and schema " + schema + ": " + e.getMessage(), e);
    }
  }

  private static void lockDownExistingRole(Connection c, Statement st, String role)
      throws SQLException {
    List<String> wrong = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolinherit,"
                + " rolcanlogin FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        String[] off = {
          "SUPERUSER", "CREATEDB", "CREATEROLE", "REPLICATION", "BYPASSRLS", "INHERIT"
        };
        for (int i = 0; i < off.length; i++) {
          if (rs.getBoolean(i + 1)) {
            wrong.add("NO" + off[i]);
          }
        }
        if (!rs.getBoolean(7)) {
          wrong.add("LOGIN");
        }
      }
    }
    if (!wrong.isEmpty()) {
      st.execute("ALTER ROLE " + quote(role) + " " + String.join(" ", wrong));
      log.warn("db: role {} had other attributes than expected; set {}", role, wrong);
    }
    List<String> memberOf = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid"
                + " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = ? ORDER BY 1")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          memberOf.add(rs.getString(1));
        }
      }
    }
    if (!memberOf.isEmpty()) {
      throw new DbProvisioningException(
          "role "
              + role
              + " is a member of "
              + memberOf
              + " (expected: a member of no role, so that it cannot take on other roles' rights;"
              + " REVOKE those memberships)");
    }
  }

  /**
   * Checks what the role can do rather than trusting the REVOKEs: a REVOKE by a role without the
   * right to revoke (an admin that does not own the database) only warns.
   */
  private static void checkLockedDown(Connection c, String role) throws SQLException {
    List<String> kept = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT has_database_privilege(?, current_database(), 'CREATE'),"
                + " has_database_privilege(?, current_database(), 'TEMPORARY'),"
                + " coalesce(has_schema_privilege(?, (SELECT oid FROM pg_namespace"
                + " WHERE nspname = 'public'), 'CREATE'), false)")) {
      for (int i = 1; i <= 3; i++) {
        ps.setString(i, role);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          kept.add("CREATE on the database");
        }
        if (rs.getBoolean(2)) {
          kept.add("TEMPORARY on the database");
        }
        if (rs.getBoolean(3)) {
          kept.add("CREATE on schema public");
        }
      }
    }
    if (!kept.isEmpty()) {
      throw new DbProvisioningException(
          "role "
              + role
              + " still has "
              + String.join(", ", kept)
              + " after the admin revoked them (expected: none; the admin role must be a superuser,"
              + " or own the database and schema public: on PostgreSQL 14 and older schema public"
              + " belongs to the bootstrap superuser, so run REVOKE CREATE ON SCHEMA public FROM"
              + " PUBLIC once as a superuser)");
    }
  }

  /** Logs in as the namespace role, setting the derived password when the server refuses it. */
  private Connection logIn(ModuleLogin login, boolean created) {
    try {
      return login.connect(ConnectionSettings.NO_TIMEOUTS);
    } catch (SQLException refused) {
      String state = refused.getSQLState();
      if (!SQLSTATE_INVALID_PASSWORD.equals(state)
          && !SQLSTATE_INVALID_AUTHORIZATION.equals(state)) {
        throw new DbProvisioningException(
            "cannot log in as role " + login.user() + ": " + refused.getMessage(), refused);
      }
      if (created) {
        throw new DbProvisioningException(
            "cannot log in as role "
                + login.user()
                + " just created: "
                + refused.getMessage()
                + " (expected: pg_hba.conf to allow password logins of wr__* roles)",
            refused);
      }
    }
    // The role exists with another password (an operator changed it, or the admin password
    // changed): set the derived one. Concurrent engines set the same password.
    try (Connection c = admin.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "ALTER ROLE "
              + quote(login.user())
              + " PASSWORD '"
              + PasswordUtil.encodeScramSha256(login.password().toCharArray())
              + "'");
      log.info("db: set the derived password of role {}", login.user());
    } catch (SQLException e) {
      throw new DbProvisioningException(
          "cannot set the password of role " + login.user() + ": " + e.getMessage(), e);
    }
    try {
      return login.connect(ConnectionSettings.NO_TIMEOUTS);
    } catch (SQLException e) {
      throw new DbProvisioningException(
          "cannot log in as role "
              + login.user()
              + " after setting its password: "
              + e.getMessage()
              + " (expected: pg_hba.conf to allow password logins of wr__* roles)",
          e);
    }
  }

  private void migrate(Connection c, String schema, List<Migration> migrations)
      throws SQLException {
    long key = lockKey("wruntime/migrations/" + schema);
    try (Statement st = c.createStatement()) {
      st.execute("SET lock_timeout = " + lockTimeout.toMillis());
      lock(c, key, "SELECT pg_advisory_lock(?)", "migrations of schema " + schema);
      st.execute("RESET lock_timeout");
    }
    try {
      String table = quote(schema) + ".wr_migrations";
      try (Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE IF NOT EXISTS "
                + table
                + " (name text PRIMARY KEY, sha256 text NOT NULL,"
                + " applied_at timestamptz NOT NULL DEFAULT now())");
      }
      Map<String, String> applied = new LinkedHashMap<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT name, sha256 FROM " + table)) {
        while (rs.next()) {
          applied.put(rs.getString(1), rs.getString(2));
        }
      }
      String lastApplied = applied.keySet().stream().max(String::compareTo).orElse(null);
      List<Migration> pending = new ArrayList<>();
      for (Migration m : migrations) {
        String sha = applied.get(m.name());
        if (sha == null) {
          if (lastApplied != null && m.name().compareTo(lastApplied) < 0) {
            throw new DbProvisioningException(
                "migration "
                    + m.name()
                    + " is new but sorts before "
                    + lastApplied
                    + ", already applied to schema "
                    + schema
                    + " (expected: new migrations sort after the applied ones; rename it)");
          }
          pending.add(m);
        } else if (!sha.equals(m.sha256())) {
          throw new DbProvisioningException(
              "migration "
                  + m.name()
                  + " was changed after it was applied to schema "
                  + schema
                  + " (sha256 applied "
                  + sha
                  + ", now "
                  + m.sha256()
                  + "; expected: applied migrations stay as they were; add a new file instead)");
        }
      }
      for (Migration m : pending) {
        apply(c, table, schema, m);
      }
    } finally {
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
        ps.setLong(1, key);
        ps.execute();
      } catch (SQLException e) {
        // The caller closes the connection next, which releases the lock as well; an error here
        // must not hide the one that brought us here.
        log.debug("db: advisory unlock of schema {} failed: {}", schema, e.getMessage());
      }
    }
  }

  private static void apply(Connection c, String table, String schema, Migration m)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      if (!m.sql().isBlank()) {
        try (Statement st = c.createStatement()) {
          st.execute(m.sql());
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO " + table + " (name, sha256) VALUES (?, ?)")) {
        ps.setString(1, m.name());
        ps.setString(2, m.sha256());
        ps.executeUpdate();
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw new DbProvisioningException(
          "migration "
              + m.name()
              + " failed on schema "
              + schema
              + " and was rolled back; later migrations were not applied: "
              + e.getMessage()
              + " (SQLSTATE "
              + e.getSQLState()
              + ")",
          e);
    } finally {
      c.setAutoCommit(true);
    }
    // A file's SET search_path or SET statement_timeout must not leak into the next file.
    try (Statement st = c.createStatement()) {
      st.execute("RESET ALL");
    }
    log.info("db: applied migration {} to schema {}", m.name(), schema);
  }

  private void lock(Connection c, long key, String sql, String what) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, key);
      ps.execute();
    } catch (SQLException e) {
      if (SQLSTATE_LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
        throw new DbProvisioningException(
            "timed out after "
                + lockTimeout
                + " waiting for the advisory lock of the "
                + what
                + " (another engine is preparing it, or a session holds advisory lock "
                + key
                + ")",
            e);
      }
      throw e;
    }
  }

  private static boolean adminIsSuperuser(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT r.rolsuper, r.rolcreaterole, pg_has_role(d.datdba, 'MEMBER'), d.datname"
                    + " FROM pg_roles r, pg_database d"
                    + " WHERE r.rolname = current_user AND d.datname = current_database()")) {
      rs.next();
      boolean superuser = rs.getBoolean(1);
      if (!superuser && !(rs.getBoolean(2) && rs.getBoolean(3))) {
        throw new DbProvisioningException(
            "the admin role is neither a superuser nor a role with CREATEROLE that owns database "
                + rs.getString(4)
                + " (expected: a superuser, or a role with CREATEROLE that owns the database)");
      }
      return superuser;
    }
  }

  private static boolean roleExists(Connection c, String role) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static String schemaOwner(Connection c, String schema) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT r.rolname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner"
                + " WHERE n.nspname = ?")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static String currentDatabase(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** A 64-bit advisory lock key: the first 8 bytes of the SHA-256 of {@code name}. */
  static long lockKey(String name) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
