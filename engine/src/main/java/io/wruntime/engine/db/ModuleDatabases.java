package io.wruntime.engine.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.wruntime.engine.config.DatabaseConfig;
import io.wruntime.engine.config.ModuleCapabilities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the pool of a module granted {@code wruntime:db}: the one place where the database
 * settings, the module's namespace, name and migrations become connections in its schema with the
 * timeouts set. The URL (the module's own {@code [module.capabilities.db] url_file}, or else the
 * engine's {@code [database]}) is the admin login {@link SchemaProvisioner} prepares the module's
 * role, schema and migrations with; the pool logs in as that role.
 */
public final class ModuleDatabases {
  private static final Logger LOG = LoggerFactory.getLogger(ModuleDatabases.class);

  private ModuleDatabases() {}

  /**
   * Prepares the module's database (see {@link SchemaProvisioner}) and opens its pool.
   *
   * @throws DatabaseSetupException saying why, without the URL's password
   */
  public static ModulePool open(
      DatabaseConfig database, ModuleCapabilities.Db grant, String namespace, String name)
      throws DatabaseSetupException {
    PostgresUrl url = url(database, grant);
    String where = "the database at " + url.host() + ":" + url.port() + "/" + url.database();
    ModuleLogin login;
    try {
      login =
          new SchemaProvisioner(new AdminCredentials(url.jdbcUrl(), url.user(), url.password()))
              .provision(namespace, name, grant.migrationsPath());
    } catch (DbProvisioningException | IllegalArgumentException e) {
      throw new DatabaseSetupException(where + " cannot be prepared: " + e.getMessage(), e);
    }
    int connectSecs = (int) Math.max(1, database.connectionTimeout().toSeconds());
    Properties properties =
        login.connectionProperties(
            new ConnectionSettings(
                database.statementTimeout(), database.idleInTransactionTimeout()));
    properties.setProperty("connectTimeout", Integer.toString(connectSecs));
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("wr-db-" + namespace + "-" + name);
    hc.setJdbcUrl(login.jdbcUrl());
    hc.setDataSourceProperties(properties);
    hc.setMaximumPoolSize(database.maxConnections());
    hc.setMinimumIdle(Math.min(1, database.maxConnections()));
    hc.setConnectionTimeout(database.connectionTimeout().toMillis());
    hc.setInitializationFailTimeout(database.connectionTimeout().toMillis());
    try {
      ModulePool pool =
          new ModulePool(new HikariDataSource(hc), login.schema(), database.statementTimeout());
      LOG.info(
          "module {}/{}: database {} schema {} as role {}, at most {} connections",
          namespace,
          name,
          url,
          login.schema(),
          login.user(),
          database.maxConnections());
      return pool;
    } catch (HikariPool.PoolInitializationException | IllegalArgumentException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new DatabaseSetupException(
          "the pool to "
              + url.host()
              + ":"
              + url.port()
              + "/"
              + url.database()
              + " cannot be opened: "
              + (cause instanceof java.sql.SQLException s
                  ? DbErrors.describe(s)
                  : cause.getMessage()),
          e);
    }
  }

  private static PostgresUrl url(DatabaseConfig database, ModuleCapabilities.Db grant)
      throws DatabaseSetupException {
    if (grant.urlFile() != null) {
      return read(grant.urlFile(), "[module.capabilities.db] url_file");
    }
    if (database.url() != null) {
      return database.url();
    }
    if (database.urlFile() != null) {
      return read(database.urlFile(), "[database] url_file");
    }
    throw new DatabaseSetupException(
        "no database is configured (expected: [module.capabilities.db] url_file, or [database]"
            + " url or url_file)");
  }

  private static PostgresUrl read(Path file, String key) throws DatabaseSetupException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new DatabaseSetupException(
          key
              + " "
              + file
              + (Files.exists(file) ? " cannot be read" : " does not exist")
              + " (expected: a file holding a "
              + PostgresUrl.EXPECTED
              + " URL)");
    }
    try {
      return PostgresUrl.parse(text);
    } catch (IllegalArgumentException e) {
      throw new DatabaseSetupException(key + " " + file + ": the URL it holds " + e.getMessage());
    }
  }
}
