package io.wruntime.engine.db;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * The login of the role that prepares module databases: it creates roles and schemas, so it is a
 * superuser or a {@code CREATEROLE} role that owns the database.
 *
 * @param jdbcUrl a {@code jdbc:postgresql://host:port/db} URL without credentials or {@code
 *     options} in it
 * @param user the admin role
 * @param password its password (never in {@link #toString()} nor in error messages)
 */
public record AdminCredentials(String jdbcUrl, String user, String password) {
  public AdminCredentials {
    requireNonNull(jdbcUrl, "jdbcUrl");
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    if (user.isBlank()) {
      throw new IllegalArgumentException("admin user is blank (expected: a role name)");
    }
    Properties parsed = Driver.parseURL(jdbcUrl, null);
    if (parsed == null) {
      // The URL may carry secrets: name its scheme only.
      throw new IllegalArgumentException(
          "admin JDBC URL is not a PostgreSQL URL (expected: jdbc:postgresql://host:port/database)");
    }
    for (String key : new String[] {"user", "password", "options"}) {
      if (parsed.getProperty(key) != null) {
        throw new IllegalArgumentException(
            "admin JDBC URL carries the parameter '"
                + key
                + "' (expected: none; the user and password are passed apart, and each module's"
                + " connections set their own options)");
      }
    }
  }

  /** Opens a connection as the admin role. */
  Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("ApplicationName", "wruntime-provisioner");
    return DriverManager.getConnection(jdbcUrl, properties);
  }

  @Override
  public String toString() {
    return "AdminCredentials[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=***]";
  }
}
