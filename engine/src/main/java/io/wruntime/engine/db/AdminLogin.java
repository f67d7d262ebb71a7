package io.wruntime.engine.db;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * A stand-in for the per-module provisioning ({@code SchemaProvisioner}, which adds a login role
 * per namespace whose {@code search_path} holds only the module's schema): the module logs in as
 * the URL's own user, its connections' {@code search_path} set to the schema {@code
 * wr__{namespace}__{name}}, created if missing. Migrations ({@code *.sql} in the migrations
 * directory, in name order) are applied once each, recorded in the schema's table {@code
 * wr_migrations}, under an advisory lock so that engines starting together apply each once. This
 * gives no isolation between modules beyond the default search_path.
 */
final class AdminLogin {
  private AdminLogin() {}

  /**
   * The schema of a module: {@code wr__{namespace}__{name}}, other characters than [a-z0-9_] as _.
   */
  static String schemaOf(String namespace, String name) {
    String schema =
        ("wr__" + namespace + "__" + name).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return schema.length() > 63 ? schema.substring(0, 63) : schema;
  }

  /** Creates the module's schema and applies its migrations; returns the schema. */
  static String prepare(
      PostgresUrl url, String namespace, String name, Path migrations, int timeoutSecs)
      throws DatabaseSetupException {
    String schema = schemaOf(namespace, name);
    Properties props = new Properties();
    props.setProperty("user", url.user());
    props.setProperty("password", url.password());
    props.setProperty("connectTimeout", Integer.toString(timeoutSecs));
    props.setProperty("ApplicationName", "wruntime-setup:" + namespace + "/" + name);
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), props)) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
      }
      if (migrations != null) {
        migrate(c, schema, migrations);
      }
    } catch (SQLException e) {
      throw new DatabaseSetupException(
          "the database at "
              + url.host()
              + ":"
              + url.port()
              + "/"
              + url.database()
              + " cannot be prepared for schema "
              + schema
              + ": "
              + DbErrors.describe(e),
          e);
    }
    return schema;
  }

  private static void migrate(Connection c, String schema, Path dir)
      throws SQLException, DatabaseSetupException {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      throw new DatabaseSetupException(
          "migrations_path " + dir + " is not a directory (expected: a directory of *.sql files)");
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.sql")) {
      entries.forEach(files::add);
    } catch (IOException e) {
      throw new DatabaseSetupException(
          "migrations_path " + dir + " cannot be read: " + e.getMessage(), e);
    }
    files.sort(null);
    try (Statement s = c.createStatement()) {
      s.execute("SET search_path TO \"" + schema + "\"");
      s.execute(
          "CREATE TABLE IF NOT EXISTS wr_migrations (name text PRIMARY KEY,"
              + " applied_at timestamptz NOT NULL DEFAULT now())");
    }
    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(hashtext(?))")) {
      lock.setString(1, schema);
      lock.execute();
    }
    try {
      for (Path file : files) {
        String fileName = file.getFileName().toString();
        try (PreparedStatement done =
            c.prepareStatement("SELECT 1 FROM wr_migrations WHERE name = ?")) {
          done.setString(1, fileName);
          try (ResultSet rs = done.executeQuery()) {
            if (rs.next()) {
              continue;
            }
          }
        }
        String sql;
        try {
          sql = Files.readString(file);
        } catch (IOException e) {
          throw new DatabaseSetupException(
              "migration " + file + " cannot be read: " + e.getMessage(), e);
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement();
            PreparedStatement record =
                c.prepareStatement("INSERT INTO wr_migrations (name) VALUES (?)")) {
          s.execute(sql);
          record.setString(1, fileName);
          record.execute();
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          throw new DatabaseSetupException(
              "migration " + file + " failed: " + DbErrors.describe(e), e);
        } finally {
          c.setAutoCommit(true);
        }
      }
    } finally {
      try (PreparedStatement unlock =
          c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
        unlock.setString(1, schema);
        unlock.execute();
      }
    }
  }
}
