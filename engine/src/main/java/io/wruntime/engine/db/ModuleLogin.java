package io.wruntime.engine.db;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How a module's connections log in: as its namespace's role, into the database of the admin URL,
 * with its schema first on the {@code search_path}.
 *
 * @param jdbcUrl the database's JDBC URL (the admin URL: it carries no credentials)
 * @param user the namespace's role {@code wr__{ns}}
 * @param password the role's derived password (never in {@link #toString()})
 * @param schema the module's schema {@code wr__{ns}__{name}}
 */
public record ModuleLogin(String jdbcUrl, String user, String password, String schema) {
  public ModuleLogin {
    requireNonNull(jdbcUrl, "jdbcUrl");
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    requireNonNull(schema, "schema");
  }

  /**
   * The driver properties of a connection with {@code settings}: {@code user}, {@code password},
   * {@code options} (see {@link ConnectionSettings#startupOptions}) and {@code ApplicationName}.
   * For HikariCP: {@code config.setJdbcUrl(jdbcUrl())} and {@code
   * config.setDataSourceProperties(connectionProperties(settings))}.
   */
  public Properties connectionProperties(ConnectionSettings settings) {
    requireNonNull(settings, "settings");
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("options", settings.startupOptions(schema));
    properties.setProperty("ApplicationName", "wruntime:" + schema);
    return properties;
  }

  /** Opens one connection with {@code settings} (pools build theirs from the properties). */
  public Connection connect(ConnectionSettings settings) throws SQLException {
    return DriverManager.getConnection(jdbcUrl, connectionProperties(settings));
  }

  @Override
  public String toString() {
    return "ModuleLogin[jdbcUrl="
        + jdbcUrl
        + ", user="
        + user
        + ", password=***, schema="
        + schema
        + "]";
  }
}
